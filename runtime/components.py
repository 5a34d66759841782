"""The component factories `serve` runs; each area adds its factory to FACTORIES."""

from __future__ import annotations

from intake.email.component import build_email_intake
from outbox.email import EmailSender
from outbox.telegram import TelegramSender
from outbox.worker import OutboxWorker, Sender
from publisher.component import build_publisher
from runtime.context import AppContext, Component, Factory
from runtime.telegram import build_telegram
from scheduler.jobs import build_scheduler
from web.console.app import ConsoleDeps, setup_console
from web.server import WebServer


async def build_outbox(ctx: AppContext) -> tuple[Component | None, str]:
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
    ctx.wake_outbox = worker.wake
    return worker, "outbox sender: " + "; ".join(notes)


async def build_web(ctx: AppContext) -> tuple[Component | None, str]:
    s = ctx.settings.web
    if not s.enabled:
        return None, "HTTP server OFF (NEWSDESK_WEB__ENABLED=false)"
    deps = ConsoleDeps(
        db=ctx.db,
        settings=ctx.settings,
        clock=ctx.clock,
        files=ctx.files,
        http=ctx.http,
        wake_cards=lambda: ctx.extras.get("wake_cards", lambda: None)(),
        wake_outbox=lambda: ctx.wake_outbox(),
        wake_publisher=lambda: _wake_publisher(ctx),
    )
    setup_console(ctx.web_app, deps)
    server = WebServer(ctx.web_app, host=s.host, port=s.port)
    ctx.extras["web_server"] = server
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


def _wake_publisher(ctx: AppContext) -> None:
    publisher = ctx.extras.get("publisher")
    if publisher is not None:
        publisher.wake()
