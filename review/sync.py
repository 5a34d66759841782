"""Keeps the editors' chat in step with the database: one card per submission, current version.

Database-driven (invariant 1): every pass asks which submissions lack a card or show an older
version, then posts or edits. Nothing is lost while Telegram asks us to wait (RetryAfter): the
work is still in the database on the next pass, and after a restart. Calls to the editors' chat
are paced (Telegram allows about 20 messages a minute per group).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, RetryAfter

from review.cards import card_keyboard, card_text
from review.media import send_media
from review.service import card_view, cards_to_sync, record_card
from storage.db import Database
from storage.files import FileStore
from storage.models import Submission
from tgbot.callbacks import Button
from tgbot.flood import Pacer, retry_seconds
from tgbot.keyboards import markup

log = logging.getLogger(__name__)


class CardSync:
    """Posts and re-renders review cards in the editors' chat."""

    name = "review-cards"

    def __init__(
        self,
        *,
        db: Database,
        bot: Bot,
        chat_id: int,
        interval: float,
        idle_seconds: float = 5.0,
        files: FileStore | None = None,
        default_author: str = "",
    ) -> None:
        self.db = db
        self.files = files  # with it: the composed article on the card, the media under it
        self.default_author = default_author
        self.bot = bot
        self.chat_id = chat_id
        self.pacer = Pacer(interval)
        self.idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self._first: set[int] = set()

    def wake(self) -> None:
        """Look for work now (after a decision or a new submission)."""
        self._wake.set()

    def first(self, submission_id: int) -> None:
        """Edit this submission's card before the others waiting (an editor just decided it
        and looks at it); only an order: the work itself is read from the database."""
        self._first.add(submission_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Sync until ``stop``; a failing pass is logged and retried on the next one."""
        while not stop.is_set():
            self._wake.clear()
            try:
                busy = await self.sync_once()
            except RetryAfter as exc:
                self.pacer.hold(retry_seconds(exc))
                busy = True
            except Exception:
                log.exception("review card sync failed; retrying")
                busy = False
            if busy:
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.idle_seconds):
                    await _first(stop.wait(), self._wake.wait())

    async def sync_once(self) -> int:
        """One pass over the cards out of date; returns how many were posted or edited.

        Each card is chosen when the editors' chat is free to take a call, and read then: it
        shows the submission as it is at that moment (a card the publisher moved through
        several states while it waited is edited once), and a card an editor has just decided
        goes before the others (``first``), then the oldest.
        """
        done = 0
        seen: set[int] = set()
        while True:
            await self.pacer.ready()
            async with self.db.session() as session:
                pending = await cards_to_sync(session=session)
                if self._first:  # a decided card may lie past the oldest ones listed
                    pending += await cards_to_sync(session=session, among=self._first)
            waiting = {s.id: s for s in pending if s.id is not None and s.id not in seen}
            self._first &= waiting.keys() | seen  # a card already up to date needs no turn
            if not waiting:
                return done
            chosen = min(waiting, key=lambda i: (i not in self._first, i))
            submission = waiting[chosen]
            seen.add(chosen)
            self._first.discard(chosen)
            try:
                await self._sync(submission)
                done += 1
            except BadRequest as exc:  # one broken card must not block the others
                log.error("review card for %s refused by Telegram: %s", submission.code, exc)

    async def _sync(self, submission: Submission) -> None:
        assert submission.id is not None
        async with self.db.session() as session:
            view = await card_view(
                session=session,
                submission=submission,
                files=self.files,
                default_author=self.default_author,
            )
        text, rows = card_text(view), card_keyboard(view)
        posted = False
        message_id = submission.card_message_id
        if message_id is not None and submission.card_version is None and rows:
            await self._call(self._strip, submission)  # a new version gets a new card
            message_id = None
        if message_id is None:
            sent: Message = await self._call(self._send, text, rows)
            message_id, posted = sent.message_id, True
        elif not await self._call(self._edit, message_id, text, rows):
            sent = await self._call(self._send, text, rows)
            message_id, posted = sent.message_id, True
        async with self.db.session() as session:
            await record_card(
                session=session,
                submission_id=submission.id,
                chat_id=self.chat_id,
                message_id=message_id,
                version=submission.version,
            )
            await session.commit()
        if posted and self.files is not None and rows:
            await send_media(
                db=self.db,
                files=self.files,
                bot=self.bot,
                chat_id=self.chat_id,
                submission=submission,
                card_message_id=message_id,
                call=self._call,
            )

    async def _call(self, func: Any, *args: Any) -> Any:
        """Paced call to the editors' chat, retried through flood control (tgbot.flood)."""
        return await self.pacer.call(func, *args)

    async def _send(self, text: str, rows: list[list[Button]]) -> Message:
        return await self.bot.send_message(self.chat_id, text, reply_markup=markup(rows))

    async def _edit(self, message_id: int, text: str, rows: list[list[Button]]) -> bool:
        try:
            await self.bot.edit_message_text(
                text, chat_id=self.chat_id, message_id=message_id, reply_markup=markup(rows)
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return True
            if "not found" in exc.message.lower():
                return False
            raise
        return True

    async def _strip(self, submission: Submission) -> None:
        with contextlib.suppress(BadRequest):
            await self.bot.edit_message_reply_markup(
                chat_id=submission.card_chat_id or self.chat_id,
                message_id=submission.card_message_id,
            )


async def _first(*aws: Any) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
