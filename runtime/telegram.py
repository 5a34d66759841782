"""The Telegram component: the transport (tgbot) with the officers' handlers (intake.telegram)
and, when an editors' chat is configured, the review cards and buttons (review/) and the
publisher's retry button. `build_telegram(ctx)` is the factory `serve` runs; `assemble()` is
the same wiring for a given Application (tests and the review benchmark use it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from intake.telegram.context import BotDeps
from intake.telegram.handlers import OfficerHandlers
from outbox.notify import Voice, voice_from
from publisher.prepare import card_preview
from review.publish_buttons import PublishButtons
from review.sync import CardSync
from review.telegram import ReviewDeps, ReviewHandlers
from runtime.context import AppContext, Component
from settings import Settings
from storage.files import FileStore
from storage.models import Submission
from tgbot.bot import App, TelegramBot, build_application

Preview = Callable[[AsyncSession, Submission], Awaitable[str]]


class NewsdeskBot:
    """The running bot and its parts (the transport, the officers', the editors')."""

    name = "telegram"

    def __init__(
        self,
        transport: TelegramBot,
        officers: OfficerHandlers,
        cards: CardSync | None,
        review: ReviewHandlers | None,
    ) -> None:
        self.transport = transport
        self.officers = officers
        self.cards = cards
        self.review = review

    @property
    def app(self) -> App:
        return self.transport.app

    @property
    def deps(self) -> BotDeps:
        return self.officers.deps

    def add_webhook_route(self, web_app: web.Application, path: str) -> None:
        """POST ``path``: Telegram's webhook calls (tgbot.bot.TelegramBot.webhook)."""
        self.transport.add_webhook_route(web_app, path)

    async def run(self, stop: asyncio.Event) -> None:
        await self.transport.run(stop)


def assemble(
    *,
    app: App,
    deps: BotDeps,
    editors_chat_id: int | None,
    mode: str = "polling",
    poll_timeout: int = 30,
    webhook_url: str = "",
    webhook_secret: str = "",
    edit_interval: float = 1.0,
    default_author: str = "",
    voice: Voice | None = None,
    preview: Preview | None = None,
    wake_publisher: Callable[[], None] = lambda: None,
) -> NewsdeskBot:
    """Register the officers' handlers, then (with an editors' chat) the review handlers,
    the card sync and the publisher's retry button, on one transport."""
    transport = TelegramBot(
        app=app,
        db=deps.db,
        clock=deps.clock,
        finisher=deps.finisher,
        mode=mode,
        poll_timeout=poll_timeout,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
    )
    cards: CardSync | None = None
    review: ReviewHandlers | None = None
    if editors_chat_id is not None:
        cards = CardSync(
            db=deps.db,
            bot=app.bot,
            chat_id=editors_chat_id,
            interval=edit_interval,
            files=deps.files,
            default_author=default_author,
        )
        deps.wake_cards = cards.wake
    officers = OfficerHandlers(deps)
    transport.add(officers)
    if cards is not None and editors_chat_id is not None:
        review = ReviewHandlers(
            ReviewDeps(
                db=deps.db,
                clock=deps.clock,
                editors_chat_id=editors_chat_id,
                cards=cards,
                wake_outbox=lambda: deps.wake_outbox(),
                wake_publisher=wake_publisher,
                preview=preview,
                finisher=deps.finisher,
                files=deps.files,
                default_author=default_author,
                voice=voice or Voice(),
            )
        )
        transport.add(review)
        transport.add(PublishButtons(deps.db, clock=deps.clock, wake_publisher=wake_publisher))
        transport.add_task(cards.run)
    return NewsdeskBot(transport, officers, cards, review)


async def build_telegram(ctx: AppContext) -> tuple[Component | None, str]:
    """Officer intake and review cards, when a token is configured."""
    s = ctx.settings.telegram
    if not s.enabled:
        return None, "Telegram bot OFF (set NEWSDESK_TELEGRAM__TOKEN)"
    if s.mode == "webhook" and not (s.webhook_url and s.webhook_secret.get_secret_value()):
        return None, (
            "Telegram bot OFF: webhook mode needs NEWSDESK_TELEGRAM__WEBHOOK_URL and "
            "NEWSDESK_TELEGRAM__WEBHOOK_SECRET"
        )
    if s.mode == "webhook" and not ctx.settings.web_runs:
        return None, (
            "Telegram bot OFF: webhook mode needs the HTTP server in this process "
            "(NEWSDESK_WEB__ENABLED=true, web not in NEWSDESK_COMPONENTS_OFF)"
        )
    app = build_application(
        token=s.token.get_secret_value(),
        base_url=s.base_url,
        base_file_url=s.base_file_url,
        db=ctx.db,
    )
    deps = BotDeps(
        db=ctx.db,
        files=ctx.files,
        clock=ctx.clock,
        max_download_mb=s.max_download_mb,
        max_mail_mb=ctx.settings.intake.max_message_mb,
        draft_quiet_seconds=s.draft_quiet_seconds,
        invite_valid_days=s.invite_valid_days,
        contact_email=ctx.settings.intake.mailbox_address,
        public_base_url=ctx.settings.web.public_base_url,
        wake_outbox=ctx.wake_outbox,
    )
    bot = assemble(
        app=app,
        deps=deps,
        editors_chat_id=s.editors_chat_id,
        mode=s.mode,
        poll_timeout=s.poll_timeout_seconds,
        webhook_url=s.webhook_url,
        webhook_secret=s.webhook_secret.get_secret_value(),
        edit_interval=s.edit_interval_seconds,
        default_author=ctx.settings.org.department_name,
        voice=voice_from(ctx.settings),
        preview=partial(_preview, settings=ctx.settings, files=ctx.files),
        wake_publisher=ctx.wake_publisher,
    )
    ctx.wake_cards.connect(deps.wake_cards)  # the bot set it to its card sync's wake
    if s.mode == "webhook":
        bot.add_webhook_route(ctx.web_app, s.webhook_path)
    return bot, _describe(ctx)


async def _preview(
    session: AsyncSession, submission: Submission, *, settings: Settings, files: FileStore
) -> str:
    return await card_preview(
        session=session, files=files, submission=submission, settings=settings
    )


def _describe(ctx: AppContext) -> str:
    """The start-up line: how updates arrive and where review cards go."""
    s = ctx.settings.telegram
    how = f"webhook at {s.webhook_path}" if s.mode == "webhook" else "long polling"
    cards = (
        f"review cards in chat {s.editors_chat_id}"
        if s.editors_chat_id is not None
        else "review cards OFF (set NEWSDESK_TELEGRAM__EDITORS_CHAT_ID)"
    )
    return f"Telegram bot ({how}); {cards}"
