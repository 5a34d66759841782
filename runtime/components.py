"""The component factories `serve` runs, in order; the outbox's and the web server's live here,
each other area's in its own module of runtime/."""

from __future__ import annotations

from outbox.email import EmailSender
from outbox.telegram import TelegramSender
from outbox.worker import OutboxWorker, Sender
from runtime.context import AppContext, Component, Factory
from runtime.email import build_email_intake
from runtime.publisher import build_publisher
from runtime.scheduler import build_scheduler
from runtime.telegram import build_telegram
from web.console.app import setup_console
from web.console.deps import ConsoleDeps
from web.server import WebServer


async def build_outbox(ctx: AppContext) -> tuple[Component | None, str]:
    """The outbox sender, with a sender per configured channel; off when none is configured
    (the messages stay in the outbox, sent once a channel is set)."""
    senders: list[Sender] = []
    notes = []
    if ctx.settings.smtp.enabled:
        senders.append(EmailSender(ctx.settings.smtp, files=ctx.files))
        notes.append(f"email via {ctx.settings.smtp.host}:{ctx.settings.smtp.port}")
    else:
        notes.append("email OFF (set NEWSDESK_SMTP__HOST); emails wait in the outbox")
    if ctx.telegram_bot is not None:
        senders.append(TelegramSender(ctx.telegram_bot, files=ctx.files))
        notes.append("telegram")
    else:
        notes.append("telegram OFF (set NEWSDESK_TELEGRAM__TOKEN); messages wait in the outbox")
    if not senders:
        return None, "outbox sender: " + "; ".join(notes)
    worker = OutboxWorker(ctx.db, senders, clock=ctx.clock)
    ctx.wake_outbox.connect(worker.wake)
    return worker, "outbox sender: " + "; ".join(notes)


async def build_web(ctx: AppContext) -> tuple[Component | None, str]:
    """The HTTP server with the console; it serves the routes the other factories added."""
    s = ctx.settings.web
    if not s.enabled:
        return None, "HTTP server OFF (NEWSDESK_WEB__ENABLED=false)"
    deps = ConsoleDeps(
        db=ctx.db,
        settings=ctx.settings,
        clock=ctx.clock,
        files=ctx.files,
        http=ctx.http,
        wake_cards=ctx.wake_cards,
        wake_outbox=ctx.wake_outbox,
        wake_publisher=ctx.wake_publisher,
    )
    setup_console(ctx.web_app, deps)
    server = WebServer(ctx.web_app, host=s.host, port=s.port)
    return server, f"HTTP server on http://{s.host}:{s.port} (/healthz, /metrics, console at /)"


# Order matters only for the start-up listing; the web server goes last so every other
# component has added its routes before the app is frozen. The names are what
# NEWSDESK_COMPONENTS_OFF takes.
FACTORIES: list[tuple[str, Factory]] = [
    ("outbox", build_outbox),
    ("email", build_email_intake),
    ("telegram", build_telegram),
    ("publisher", build_publisher),
    ("scheduler", build_scheduler),
    ("web", build_web),
]
