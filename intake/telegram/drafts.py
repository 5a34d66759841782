"""Drafts: an officer's consecutive messages gather (in the database) until sent or cancelled.

Each kept message is its ``telegram_update`` row with outcome ``outcomes.draft(user id)``; a
press on «Gửi bản sửa» is a row ``outcomes.bind(user id, submission id)``. A draft answers a
change request when it holds such a press, or a message replying to one of our messages about
the submission (found by the replied message's id in the outbox, never by its wording). The
summary card is shown once the officer has been quiet for a moment (albums arrive as several
updates with no end marker).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.error import RetryAfter
from telegram.ext import ContextTypes

from domain.states import SubmissionStatus
from intake.telegram import texts
from intake.telegram.context import MB, BotDeps
from intake.telegram.draft_items import is_supported, summary_items, title_of
from outbox.store import TELEGRAM
from storage.models import Officer, OutboxMessage, Submission, TelegramUpdate
from storage.registry import get_officer_by_telegram
from tgbot import outcomes
from tgbot.answer import answer
from tgbot.callbacks import DraftButton, ReviseSubmission, decode
from tgbot.flood import retry_seconds
from tgbot.keyboards import button, markup
from tgbot.messages import DraftItem, draft_items, item_of, message_key, message_of
from tgbot.outcomes import Kind, Outcome
from tgbot.updates import set_outcome, with_outcome


async def draft_rows(*, session: AsyncSession, user_id: int) -> list[TelegramUpdate]:
    """The user's open draft: kept messages and revision bindings, oldest first."""
    return await with_outcome(
        session=session, outcomes=[outcomes.draft(user_id)], kind=Kind.BIND, first_id=user_id
    )


def is_binding(row: TelegramUpdate) -> bool:
    """A «Gửi bản sửa» press kept with the draft (not a message)."""
    outcome = Outcome.decode(row.outcome)
    return outcome is not None and outcome.kind == Kind.BIND


def draft_keyboard() -> InlineKeyboardMarkup | None:
    """Send for review / cancel."""
    return markup(
        [
            [
                button(texts.BTN_SEND, DraftButton.SEND),
                button(texts.BTN_CANCEL, DraftButton.CANCEL),
            ]
        ]
    )


async def replied_submission(
    *, session: AsyncSession, chat_id: int, message_id: int
) -> int | None:
    """The submission one of our messages in this chat was about (a receipt, a decision, a
    change request), found by the message's id as the outbox recorded it when it was sent."""
    query = (
        select(OutboxMessage.submission_id)
        .where(OutboxMessage.channel == TELEGRAM)
        .where(OutboxMessage.recipient == str(chat_id))
        .where(col(OutboxMessage.result)["message_id"].as_integer() == message_id)
        .where(col(OutboxMessage.submission_id).is_not(None))
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    )
    return (await session.exec(query)).first()


async def revision_target(
    *, session: AsyncSession, rows: list[TelegramUpdate], officer: Officer
) -> Submission | None:
    """The submission this draft answers: a «Gửi bản sửa» press, or a reply to our message
    about it (the latest of either wins)."""
    submission_id = None
    for row in rows:
        outcome = Outcome.decode(row.outcome)
        if outcome is not None and outcome.kind == Kind.BIND:
            submission_id = outcome.submission_id
            continue
        item = item_of(row.raw)
        chat = (message_of(row.raw).get("chat") or {}).get("id")
        if item is not None and item.reply_to is not None and isinstance(chat, int):
            found = await replied_submission(
                session=session, chat_id=chat, message_id=item.reply_to
            )
            submission_id = found or submission_id
    if submission_id is None:
        return None
    sub = await session.get(Submission, submission_id)
    if sub is None or sub.unit_id != officer.unit_id:
        return None
    return sub


class Drafts:
    """Collects officers' messages and shows the draft's summary card."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A private message from a linked officer joins the draft (or is explained)."""
        message, user = update.effective_message, update.effective_user
        assert message is not None and user is not None
        raw = message.to_dict()
        async with self.deps.db.session() as session:
            officer = await get_officer_by_telegram(
                session=session, telegram_user_id=user.id, active_at=self.deps.clock.now()
            )
            reply, outcome = self._judge(officer, raw, update.update_id)
            await self.deps.finish(session, update, outcome)
        if reply:
            await message.reply_text(reply)
        if outcome == outcomes.draft(user.id):
            self.schedule_summary(context, user.id, message.chat.id)

    async def on_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An officer edited a message: in the open draft the edit replaces it; otherwise the
        officer is told the edit changes nothing (the item was sent or dropped already)."""
        message, user = update.edited_message, update.effective_user
        assert message is not None and user is not None
        raw = update.to_dict()
        async with self.deps.db.session() as session:
            officer = await get_officer_by_telegram(
                session=session, telegram_user_id=user.id, active_at=self.deps.clock.now()
            )
            rows = await draft_rows(session=session, user_id=user.id) if officer else []
            keys = {message_key(r.raw) for r in rows if not is_binding(r)}
            if officer is None:
                reply, outcome = texts.NOT_LINKED, outcomes.note("edit_not_linked")
            elif message_key(raw) not in keys:
                reply, outcome = texts.EDIT_NOT_IN_DRAFT, outcomes.note("edit_not_in_draft")
            else:
                reply, outcome = self._judge(officer, message.to_dict(), update.update_id)
                if outcome == outcomes.draft(user.id):
                    reply = texts.EDIT_APPLIED
            await self.deps.finish(session, update, outcome)
        await message.reply_text(reply)
        if outcome == outcomes.draft(user.id):
            self.schedule_summary(context, user.id, message.chat.id)

    def _judge(
        self, officer: Officer | None, raw: dict[str, Any], update_id: int
    ) -> tuple[str, Outcome]:
        """(reply text, outcome) for one message."""
        if officer is None:
            return texts.NOT_LINKED, outcomes.note("not_linked")
        if not is_supported(raw):
            return texts.UNSUPPORTED, outcomes.note("unsupported")
        item = item_of({"update_id": update_id, "message": raw})
        if item is None:
            return texts.UNSUPPORTED, outcomes.note("unsupported")
        if item.file_id and item.file_size > self.deps.max_download_bytes:
            return self._too_big(item), outcomes.note("too_big")
        return "", outcomes.draft(officer.telegram_user_id or 0)

    def _too_big(self, item: DraftItem) -> str:
        """Advice that fits the real limits: e-mail only when a mail can carry the file."""
        by_mail = ""
        if self.deps.contact_email and item.file_size <= self.deps.mail_file_mb * MB:
            by_mail = texts.TOO_BIG_BY_MAIL.format(
                email=self.deps.contact_email, mail_file_mb=self.deps.mail_file_mb
            )
        return texts.TOO_BIG.format(
            name=item.file_name,
            size_mb=f"{item.file_size / MB:.0f}",
            limit_mb=self.deps.max_download_mb,
            by_mail=by_mail,
        )

    def schedule_summary(
        self, context: ContextTypes.DEFAULT_TYPE, user_id: int, chat_id: int
    ) -> None:
        """(Re)start the quiet-time timer; the summary appears once the messages stop."""
        assert context.job_queue is not None
        self.summary_after(context.job_queue, user_id, chat_id, self.deps.draft_quiet_seconds)

    def summary_after(self, queue: Any, user_id: int, chat_id: int, seconds: float) -> None:
        """Show the user's summary in `seconds`, replacing one already due: one user has one
        summary timer, so a restart's replayed message and the resumed draft show it once."""
        name = f"draft-{user_id}"
        for job in queue.get_jobs_by_name(name):
            job.schedule_removal()
        queue.run_once(self._summary_job, seconds, name=name, data=(user_id, chat_id))

    async def _summary_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.job is not None
        data: tuple[int, int] = context.job.data  # type: ignore[assignment]
        user_id, chat_id = data
        try:
            await self.show_summary(context.bot, user_id, chat_id)
        except RetryAfter as exc:  # flood control: show it when Telegram lets us
            assert context.job_queue is not None
            context.job_queue.run_once(
                self._summary_job, retry_seconds(exc), name=f"draft-{user_id}", data=data
            )

    async def show_summary(self, bot: Any, user_id: int, chat_id: int) -> None:
        """Send the summary card of the user's open draft (nothing if it is empty)."""
        async with self.deps.db.session() as session:
            rows = await draft_rows(session=session, user_id=user_id)
            officer = await get_officer_by_telegram(session=session, telegram_user_id=user_id)
            target = (
                await revision_target(session=session, rows=rows, officer=officer)
                if officer
                else None
            )
        items = draft_items([r.raw for r in rows if not is_binding(r)])
        if not items:
            return
        described = summary_items(items)
        if target is not None:
            text = texts.DRAFT_REVISION_SUMMARY.format(code=target.code, items=described)
        else:
            title = title_of(items)
            line = texts.DRAFT_TITLE_LINE.format(title=title) if title else ""
            text = texts.DRAFT_SUMMARY.format(items=described, title_line=line)
        await bot.send_message(chat_id, text, reply_markup=draft_keyboard())

    async def bind_revision(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """ "Send revision" pressed under a change request: the next draft answers it."""
        query, user = update.callback_query, update.effective_user
        assert query is not None and user is not None
        cb = decode(query.data)
        assert isinstance(cb, ReviseSubmission)  # the handler's pattern
        await answer(query)
        async with self.deps.db.session() as session:
            officer = await get_officer_by_telegram(session=session, telegram_user_id=user.id)
            sub = await session.get(Submission, cb.submission_id)
            ok = (
                officer is not None
                and sub is not None
                and sub.unit_id == officer.unit_id
                and sub.status == SubmissionStatus.CHANGES_REQUESTED
            )
            outcome = (
                outcomes.bind(user.id, cb.submission_id) if ok else outcomes.note("bind_refused")
            )
            await self.deps.finish(session, update, outcome)
        code = sub.code if sub is not None else str(cb.submission_id)
        text = texts.REVISION_BOUND if ok else texts.REVISION_NOT_OPEN
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, text.format(code=code))

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The cancel button or /huy: the open draft is dropped (rows kept as "cancelled")."""
        user, message = update.effective_user, update.effective_message
        assert user is not None
        if update.callback_query is not None:
            await answer(update.callback_query)
        async with self.deps.db.session() as session:
            rows = await draft_rows(session=session, user_id=user.id)
            for row in rows:
                await set_outcome(
                    session=session, update_id=row.update_id, outcome=outcomes.CANCELLED
                )
            await self.deps.finish(session, update, outcomes.note("cancel"))
        if update.callback_query is not None:
            await update.callback_query.edit_message_reply_markup(None)
        if message is not None:
            await context.bot.send_message(
                message.chat.id, texts.DRAFT_CANCELLED if rows else texts.DRAFT_EMPTY
            )
