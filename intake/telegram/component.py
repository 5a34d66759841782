"""`build_telegram(ctx)`: the bot component for `serve`, or the reason it is off."""

from __future__ import annotations

from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from intake.telegram.bot import TelegramBot, build_application
from intake.telegram.context import BotDeps
from publisher.prepare import card_preview
from review.service import voice_from
from runtime.context import AppContext, Component
from settings import Settings
from storage.files import FileStore
from storage.models import Submission


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
        default_author=ctx.settings.org.department_name,
        public_base_url=ctx.settings.web.public_base_url,
        wake_outbox=ctx.wake_outbox,
        wake_publisher=ctx.wake_publisher,
        preview=partial(_preview, settings=ctx.settings, files=ctx.files),
        voice=voice_from(ctx.settings),
    )
    bot = TelegramBot(
        app=app,
        deps=deps,
        editors_chat_id=s.editors_chat_id,
        mode=s.mode,
        poll_timeout=s.poll_timeout_seconds,
        webhook_url=s.webhook_url,
        webhook_secret=s.webhook_secret.get_secret_value(),
        edit_interval=s.edit_interval_seconds,
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
