"""The Telegram bot as a `serve` component: PTB's manual lifecycle, polling or webhook.

Every update is recorded (``telegram_update``) before handlers run and marked with its outcome
after; a known, finished update is dropped (the same update delivered twice is handled once),
and an unfinished one (a crash mid-way) is replayed at start-up.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from intake.telegram.commands import Commands
from intake.telegram.context import BotDeps
from intake.telegram.drafts import CANCEL, REVISION, SEND, Drafts, draft_outcome
from intake.telegram.durable import DurableUpdatesRequest
from intake.telegram.login import LoginCommand
from intake.telegram.onboarding import CONSENT_PREFIX, Onboarding
from intake.telegram.submit import Submitter
from intake.telegram.updates import (
    DONE,
    UNPARSEABLE,
    claim,
    claimed_by_decision,
    record,
    record_failed,
    release_claims,
    set_outcome,
    unfinished,
    valid_update_id,
    with_outcome,
)
from review.publish_buttons import PublishButtons
from review.sync import CardSync
from review.telegram import ReviewDeps, ReviewHandlers
from storage.db import Database

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
App = Application[Any, Any, Any, Any, Any, Any]


class TelegramBot:
    """Officer intake and editors' review cards in one PTB Application."""

    name = "telegram"

    def __init__(
        self,
        *,
        app: App,
        deps: BotDeps,
        editors_chat_id: int | None,
        mode: str = "polling",
        poll_timeout: int = 30,
        webhook_url: str = "",
        webhook_secret: str = "",
        edit_interval: float = 1.0,
    ) -> None:
        self.app = app
        self.deps = deps
        self.mode = mode
        self.poll_timeout = poll_timeout
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.cards: CardSync | None = None
        self.review: ReviewHandlers | None = None
        if editors_chat_id is not None:
            self.cards = CardSync(
                db=deps.db,
                bot=app.bot,
                chat_id=editors_chat_id,
                interval=edit_interval,
                files=deps.files,
                default_author=deps.default_author,
            )
            deps.wake_cards = self.cards.wake
        self.drafts = Drafts(deps)
        self._register(editors_chat_id)

    def _register(self, editors_chat_id: int | None) -> None:
        onboarding, submitter, commands = (
            Onboarding(self.deps),
            Submitter(self.deps),
            Commands(self.deps),
        )
        private = filters.ChatType.PRIVATE
        self.app.add_handler(TypeHandler(Update, self._record), group=-1)
        self.app.add_handlers(
            [
                # first: an edit is not a new message (nor a new command or onboarding answer)
                MessageHandler(
                    private & filters.UpdateType.EDITED_MESSAGE, self._private_edit(onboarding)
                ),
                CommandHandler("start", onboarding.start, filters=private),
                CommandHandler(["trangthai", "status"], commands.status, filters=private),
                CommandHandler(["huongdan", "help"], commands.help, filters=private),
                CommandHandler("dangnhap", LoginCommand(self.deps).login, filters=private),
                CommandHandler("huy", self.drafts.cancel, filters=private),
                MessageHandler(private & filters.CONTACT, onboarding.contact),
                MessageHandler(private & ~filters.COMMAND, self._private_message(onboarding)),
                CallbackQueryHandler(onboarding.consent, pattern=f"^{CONSENT_PREFIX}"),
                CallbackQueryHandler(submitter.send, pattern=f"^{SEND}$"),
                CallbackQueryHandler(self.drafts.cancel, pattern=f"^{CANCEL}$"),
                CallbackQueryHandler(self.drafts.bind_revision, pattern=f"^{REVISION}"),
            ]
        )
        if self.cards is not None and editors_chat_id is not None:
            review = ReviewDeps(
                db=self.deps.db,
                clock=self.deps.clock,
                editors_chat_id=editors_chat_id,
                cards=self.cards,
                wake_outbox=lambda: self.deps.wake_outbox(),
                wake_publisher=lambda: self.deps.wake_publisher(),
                preview=self.deps.preview,
                handled=self.deps.handled,
                files=self.deps.files,
                default_author=self.deps.default_author,
                voice=self.deps.voice,
            )
            self.review = ReviewHandlers(review)
            self.app.add_handlers(self.review.handlers())
            retry = PublishButtons(
                self.deps.db, clock=self.deps.clock, wake_publisher=self.deps.wake_publisher
            )
            self.app.add_handlers(retry.handlers())
        self.app.add_handler(TypeHandler(Update, self._finish), group=99)
        self.app.add_error_handler(self._error)

    def _private_edit(self, onboarding: Onboarding) -> Any:
        async def route(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if not await onboarding.edited(update):
                await self.drafts.on_edit(update, context)

        return route

    def _private_message(self, onboarding: Onboarding) -> Any:
        async def route(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if not await onboarding.step(update, context):
                await self.drafts.on_message(update, context)

        return route

    async def _record(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group -1: store the raw update and claim it before any handler acts. A finished one
        stops here (delivered twice), and so does a copy delivered again while the first is
        still being handled (a webhook retry): every handler acts once."""
        data = update.callback_query.data if update.callback_query else None
        if claimed_by_decision(data):
            return  # one transaction fewer on the editors' hot path: see review.telegram
        async with self.deps.db.session() as session:
            row = await record(session=session, raw=update.to_dict())
            claimed = not row.outcome and await claim(
                session=session, update_id=update.update_id, now=self.deps.clock.now()
            )
            await session.commit()
        if row.outcome:
            log.info("telegram update %s already handled (%s)", update.update_id, row.outcome)
            raise ApplicationHandlerStop
        if not claimed:
            log.info("telegram update %s is being handled already", update.update_id)
            raise ApplicationHandlerStop

    async def _finish(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group 99: updates no handler marked (ignored chats, unknown buttons) are done too."""
        if update.update_id in self.deps.handled:
            self.deps.handled.discard(update.update_id)
            return
        async with self.deps.db.session() as session:
            await set_outcome(
                session=session, update_id=update.update_id, outcome=DONE, only_if_empty=True
            )
            await session.commit()

    async def _error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram handler failed: %r", context.error, exc_info=context.error)
        if isinstance(update, Update):  # kept raw in the database; not replayed in a loop
            name = type(context.error).__name__
            async with self.deps.db.session() as session:
                await record(session=session, raw=update.to_dict())
                await set_outcome(
                    session=session,
                    update_id=update.update_id,
                    outcome=f"error:{name}",
                    only_if_empty=True,
                )
                await session.commit()

    # ------------------------------------------------------------------ lifecycle
    async def run(self, stop: asyncio.Event) -> None:
        """initialize, start, replay, poll (or webhook); on stop: updater, then app."""
        async with self.app:
            await self.app.start()
            try:
                await self._replay()
                await self._resume_drafts()
                await self._receive()
                async with asyncio.TaskGroup() as group:
                    if self.cards is not None:
                        group.create_task(self.cards.run(stop))
                    if self.review is not None:
                        group.create_task(self.review.refusals.run(stop))
                    await stop.wait()
            finally:
                if self.app.updater is not None and self.app.updater.running:
                    await self.app.updater.stop()
                await self.app.stop()
                if self.review is not None:  # refusals of the last presses handled
                    await self.review.refusals.flush()

    async def _receive(self) -> None:
        if self.mode == "webhook":
            await self.app.bot.set_webhook(
                self.webhook_url,
                secret_token=self.webhook_secret or None,
                allowed_updates=ALLOWED_UPDATES,
            )
            return
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            poll_interval=0, timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES
        )

    async def _replay(self) -> None:
        """Updates recorded but never finished (a crash) are handled now. Each row is guarded:
        one that cannot be parsed or handled is marked failed (raw kept) and the rest go on."""
        async with self.deps.db.session() as session:
            await release_claims(session=session)  # the process that held them is gone
            rows = await unfinished(session=session)
            await session.commit()
        for row in rows:
            log.info("replaying telegram update %s", row.update_id)
            try:
                update = Update.de_json(row.raw, self.app.bot)
            except Exception as exc:
                log.warning(
                    "telegram update %s cannot be parsed (%s): kept, marked failed",
                    row.update_id,
                    type(exc).__name__,
                )
                await self._mark(row.update_id, UNPARSEABLE)
                continue
            try:
                await self.app.process_update(update)
            except Exception as exc:  # PTB's error handler covers handlers; this, the rest
                log.warning("replaying telegram update %s failed", row.update_id, exc_info=True)
                await self._mark(row.update_id, f"error:{type(exc).__name__}")

    async def _mark(self, update_id: int, outcome: str) -> None:
        async with self.deps.db.session() as session:
            await set_outcome(
                session=session, update_id=update_id, outcome=outcome, only_if_empty=True
            )
            await session.commit()

    async def _resume_drafts(self) -> None:
        """Open drafts survive restarts: show their summary again."""
        async with self.deps.db.session() as session:
            rows = await with_outcome(session=session, outcomes=[], prefix="draft:")
        users = {
            (row.outcome, (row.raw.get("message") or {}).get("chat", {}).get("id")) for row in rows
        }
        for outcome, chat_id in users:
            user_id = int(outcome.split(":")[1])
            if chat_id is not None and outcome == draft_outcome(user_id):
                # through the user's summary timer: a replayed message of the same draft
                # scheduled one already, and the officer must see one summary, not two
                self.drafts.summary_after(self.app.job_queue, user_id, chat_id, 0)

    # ------------------------------------------------------------------ webhook
    def add_webhook_route(self, web_app: web.Application, path: str) -> None:
        """POST ``path``: Telegram's webhook calls, checked against the secret token."""
        web_app.router.add_post(path, self.webhook)

    async def webhook(self, request: web.Request) -> web.Response:
        """Parse the update, record it durably, queue it, then answer 200 (Telegram retries
        otherwise). An update that cannot be parsed is never stored unfinished: 400, and an
        authenticated one is kept raw as failed (it would stop the bot at every replay)."""
        if not self._secret_ok(request.headers.get(SECRET_HEADER, "")):
            return web.Response(status=403, text="forbidden")
        try:
            raw = await request.json()
        except ValueError:  # not JSON, or not UTF-8
            return web.Response(status=400, text="bad update")
        update_id = valid_update_id(raw)
        if update_id is None:
            log.warning("webhook update refused: no valid update_id")
            return web.Response(status=400, text="bad update")
        try:
            update = Update.de_json(raw, self.app.bot)
        except Exception as exc:
            log.warning(
                "webhook update %s cannot be parsed (%s): kept, not handled",
                update_id,
                type(exc).__name__,
            )
            async with self.deps.db.session() as session:
                await record_failed(session=session, raw=raw, outcome=UNPARSEABLE)
                await session.commit()
            return web.Response(status=400, text="bad update")
        async with self.deps.db.session() as session:
            row = await record(session=session, raw=raw)
            await session.commit()
        if not row.outcome and self.app.running:
            await self.app.update_queue.put(update)
        log.debug("webhook update %s queued", update_id)
        return web.Response(text="ok")

    def _secret_ok(self, given: str) -> bool:
        """Constant-time check of Telegram's secret header (ASCII only: anything else is 403)."""
        if not self.webhook_secret or not given.isascii():
            return False
        return hmac.compare_digest(given.encode("ascii"), self.webhook_secret.encode())


def build_application(
    *, token: str, base_url: str, base_file_url: str, db: Database | None = None
) -> App:
    """A PTB Application with our Bot API endpoints (the cloud, a local server, or a fake).

    With `db`, every update fetched by long polling is stored before PTB confirms it.
    """
    builder = ApplicationBuilder().token(token).base_url(base_url).base_file_url(base_file_url)
    if db is not None:
        builder = builder.get_updates_request(DurableUpdatesRequest(db))
    return builder.build()
