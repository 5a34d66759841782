"""The publisher's «Đăng lại» button (tgbot.callbacks.RetryPublication) in the editors' chat."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes

from domain.clock import Clock
from domain.errors import RejectedError
from publisher.service import retry_publication
from review import texts
from review.cards import when
from review.editors import EditorCache
from storage.audit import add_audit
from storage.db import Database
from tgbot.answer import answer
from tgbot.bot import TelegramBot
from tgbot.callbacks import RetryPublication, decode
from tgbot.presses import PressHandler

log = logging.getLogger(__name__)


class PublishButtons:
    """Lets a registered editor retry a failed publication from the failure message."""

    def __init__(self, db: Database, *, clock: Clock, wake_publisher: Callable[[], None]) -> None:
        self.db = db
        self.clock = clock
        self.wake_publisher = wake_publisher
        self.editors = EditorCache(db)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [PressHandler(self.on_retry, RetryPublication)]

    def register(self, bot: TelegramBot) -> None:
        bot.add_handlers(self.handlers())

    async def on_retry(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        cb = decode(query.data)
        if not isinstance(cb, RetryPublication):  # the handler's pattern lets only these in
            await answer(query, texts.ANSWER_UNKNOWN)
            return
        publication_id = cb.publication_id
        editor = await self.editors.get(query.from_user.id)
        async with self.db.session() as session:
            if editor is None:
                await answer(query, texts.ANSWER_NOT_EDITOR, show_alert=True)
                add_audit(
                    session=session,
                    actor=f"tg:{query.from_user.id}",
                    action="publish.retry_refused_not_editor",
                    details={"publication_id": publication_id},
                )
                await session.commit()
                return
            try:
                pub = await retry_publication(
                    session=session,
                    publication_id=publication_id,
                    actor=f"editor:{editor.id}",
                    now=self.clock.now(),
                )
                add_audit(
                    session=session,
                    actor=f"editor:{editor.id}",
                    action="publish.retry",
                    submission_id=pub.submission_id,
                    details={"publication_id": publication_id},
                )
                await session.commit()
            except RejectedError as exc:
                await session.rollback()
                await answer(query, str(exc), show_alert=True)
                return
        await answer(query, texts.ANSWER_RETRY_QUEUED)
        self.wake_publisher()
        done = texts.RETRY_DONE_LINE.format(who=editor.full_name, at=when(self.clock.now()))
        original = getattr(query.message, "text", None) or ""
        try:
            await query.edit_message_text(f"{original}\n\n{done}", reply_markup=None)
        except Exception:  # the retry is committed; a failed cosmetic edit changes nothing
            log.warning("could not mark the retry on the failure message", exc_info=True)
