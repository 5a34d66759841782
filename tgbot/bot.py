"""The bot as a `serve` component: PTB's manual lifecycle, the update log around every handler,
polling or the webhook. Which handlers run is not decided here: officer intake
(intake.telegram) and the editors' review (review/) register theirs (runtime.telegram wires
them), so the transport knows nothing of either.

Every update is recorded (``telegram_update``) before handlers run and marked with its outcome
after; a known, finished update is dropped (the same update delivered twice is handled once),
and an unfinished one (a crash mid-way) is replayed at start-up. A button whose data the
codec does not know (tgbot.callbacks) is answered in Vietnamese and changes nothing.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ContextTypes,
    TypeHandler,
)

from domain.clock import Clock
from storage.db import Database
from tgbot import texts
from tgbot.answer import answer
from tgbot.durable import DurableUpdatesRequest
from tgbot.outcomes import DONE, UNPARSEABLE, Outcome, error
from tgbot.updates import (
    claim,
    claimed_by_decision,
    record,
    record_failed,
    release_claims,
    set_outcome,
    unfinished,
    valid_update_id,
)

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
App = Application[Any, Any, Any, Any, Any, Any]
Handlers = Sequence[BaseHandler[Any, Any, Any]]


class Finisher:
    """Writes an update's outcome in the handler's own transaction and remembers that it did,
    so the catch-all at the end (group 99) leaves that update alone."""

    def __init__(self) -> None:
        self.handled: set[int] = set()  # update ids whose outcome is written

    async def finish(self, session: AsyncSession, update: Update, outcome: Outcome) -> None:
        """Write the update's outcome in ``session`` and commit (with the handler's effects)."""
        await set_outcome(session=session, update_id=update.update_id, outcome=outcome)
        await session.commit()
        self.handled.add(update.update_id)


class Registration(Protocol):
    """A set of handlers (officers', editors') plugged into the bot."""

    def register(self, bot: TelegramBot) -> None: ...


class TelegramBot:
    """One PTB Application with the durable update log around the registered handlers."""

    name = "telegram"

    def __init__(
        self,
        *,
        app: App,
        db: Database,
        clock: Clock,
        finisher: Finisher | None = None,
        mode: str = "polling",
        poll_timeout: int = 30,
        webhook_url: str = "",
        webhook_secret: str = "",
    ) -> None:
        self.app = app
        self.db = db
        self.clock = clock
        self.finisher = finisher or Finisher()
        self.mode = mode
        self.poll_timeout = poll_timeout
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self._starting: list[Callable[[App], Awaitable[None]]] = []
        self._tasks: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = []
        self._stopped: list[Callable[[], Awaitable[Any]]] = []
        self._sealed = False
        self.app.add_handler(TypeHandler(Update, self._record), group=-1)
        self.app.add_handler(TypeHandler(Update, self._finish), group=99)
        self.app.add_error_handler(self._error)

    # ------------------------------------------------------------------ registration
    def add(self, registration: Registration) -> None:
        """Let ``registration`` add its handlers and hooks."""
        registration.register(self)

    def add_handlers(self, handlers: Handlers) -> None:
        """Handlers of group 0, tried in the order added (the first that matches acts)."""
        assert not self._sealed, "handlers are registered before the bot runs"
        self.app.add_handlers(list(handlers))

    def on_start(self, hook: Callable[[App], Awaitable[None]]) -> None:
        """Run after the replay of unfinished updates, before new ones arrive."""
        self._starting.append(hook)

    def add_task(self, task: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
        """A background task that runs with the bot until ``stop`` is set."""
        self._tasks.append(task)

    def on_stop(self, hook: Callable[[], Awaitable[Any]]) -> None:
        """Run once the application has stopped (no handler runs any more)."""
        self._stopped.append(hook)

    def _seal(self) -> None:
        """Last in group 0: a button nobody registered for (or data the codec refuses)."""
        if not self._sealed:
            self.app.add_handler(CallbackQueryHandler(self._unknown_button))
            self._sealed = True

    # ------------------------------------------------------------------ the update log
    async def _record(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group -1: store the raw update and claim it before any handler acts. A finished one
        stops here (delivered twice), and so does a copy delivered again while the first is
        still being handled (a webhook retry): every handler acts once."""
        data = update.callback_query.data if update.callback_query else None
        if claimed_by_decision(data):
            return  # one transaction fewer on the editors' hot path: see review.telegram
        async with self.db.session() as session:
            row = await record(session=session, raw=update.to_dict())
            claimed = not row.outcome and await claim(
                session=session, update_id=update.update_id, now=self.clock.now()
            )
            await session.commit()
        if row.outcome:
            log.info("telegram update %s already handled (%s)", update.update_id, row.outcome)
            raise ApplicationHandlerStop
        if not claimed:
            log.info("telegram update %s is being handled already", update.update_id)
            raise ApplicationHandlerStop

    async def _unknown_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answered in Vietnamese; nothing is looked up (group 99 records it as done)."""
        assert update.callback_query is not None
        log.info("telegram update %s: a button nobody handles", update.update_id)
        await answer(update.callback_query, texts.UNKNOWN_BUTTON)

    async def _finish(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group 99: updates no handler marked (ignored chats, unknown buttons) are done too."""
        if update.update_id in self.finisher.handled:
            self.finisher.handled.discard(update.update_id)
            return
        async with self.db.session() as session:
            await set_outcome(
                session=session, update_id=update.update_id, outcome=DONE, only_if_empty=True
            )
            await session.commit()

    async def _error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram handler failed: %r", context.error, exc_info=context.error)
        if isinstance(update, Update):  # kept raw in the database; not replayed in a loop
            async with self.db.session() as session:
                await record(session=session, raw=update.to_dict())
                await set_outcome(
                    session=session,
                    update_id=update.update_id,
                    outcome=error(type(context.error).__name__),
                    only_if_empty=True,
                )
                await session.commit()

    # ------------------------------------------------------------------ lifecycle
    async def run(self, stop: asyncio.Event) -> None:
        """initialize, start, replay, poll (or webhook); on stop: updater, then app."""
        self._seal()
        async with self.app:
            await self.app.start()
            try:
                await self._replay()
                for hook in self._starting:
                    await hook(self.app)
                await self._receive()
                async with asyncio.TaskGroup() as group:
                    for task in self._tasks:
                        group.create_task(task(stop))
                    await stop.wait()
            finally:
                if self.app.updater is not None and self.app.updater.running:
                    await self.app.updater.stop()
                await self.app.stop()
                for stopped in self._stopped:
                    await stopped()

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
        async with self.db.session() as session:
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
                await self._mark(row.update_id, error(type(exc).__name__))

    async def _mark(self, update_id: int, outcome: Outcome) -> None:
        async with self.db.session() as session:
            await set_outcome(
                session=session, update_id=update_id, outcome=outcome, only_if_empty=True
            )
            await session.commit()

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
            async with self.db.session() as session:
                await record_failed(session=session, raw=raw, outcome=UNPARSEABLE)
                await session.commit()
            return web.Response(status=400, text="bad update")
        async with self.db.session() as session:
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
