"""Sending a draft: download its files, store it through accept(), receipt through the outbox."""

from __future__ import annotations

import json
import logging

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from domain.errors import NewsdeskError, StaleTransitionError
from domain.events import event_line
from domain.glossary import KIND_LABELS, NO_TITLE
from domain.kinds import Channel
from intake.accept import Accepted, Incoming, IncomingFile, accept, accept_revision
from intake.telegram import texts
from intake.telegram.context import BotDeps
from intake.telegram.draft_items import body_of, guess_kind, title_of
from intake.telegram.drafts import draft_rows, revision_target
from outbox.store import TELEGRAM, enqueue
from storage.models import Officer, Submission, TelegramUpdate
from storage.registry import get_officer_by_telegram
from tgbot import outcomes
from tgbot.answer import answer
from tgbot.messages import MESSAGE_KINDS, DraftItem, draft_items
from tgbot.updates import set_outcomes

log = logging.getLogger(__name__)


async def download(bot: Bot, items: list[DraftItem]) -> list[IncomingFile]:
    """Fetch every file of the draft (getFile, then the file URL)."""
    files = []
    for item in items:
        if item.file_id is None:
            continue
        tg_file = await bot.get_file(item.file_id)
        data = bytes(await tg_file.download_as_bytearray())
        files.append(
            IncomingFile(
                data=data,
                filename=item.file_name,
                content_type=item.mime_type,
                caption=item.text,
                telegram_file_id=item.file_id,
            )
        )
    return files


def incoming_of(
    *,
    rows: list[TelegramUpdate],
    items: list[DraftItem],
    files: list[IncomingFile],
    officer: Officer,
    chat_id: int,
    deps: BotDeps,
) -> Incoming:
    """The channel-neutral submission of a draft (raw updates kept as the raw message)."""
    raw = json.dumps([r.raw for r in rows], ensure_ascii=False).encode()
    return Incoming(
        channel=Channel.TELEGRAM,
        source_key=f"tg:{officer.telegram_user_id}:{rows[0].update_id}",
        received_at=deps.clock.now(),
        sender=f"tg:{officer.telegram_user_id}",
        sender_name=officer.full_name,
        title=title_of(items),
        text=body_of(items),
        kind=guess_kind(items),
        unit_id=officer.unit_id,
        officer_id=officer.id,
        files=files,
        raw=raw,
        telegram_chat_id=chat_id,
    )


async def store(
    *,
    session: AsyncSession,
    deps: BotDeps,
    incoming: Incoming,
    target: Submission | None,
    officer: Officer,
) -> Accepted:
    """accept() a new submission, or accept_revision() an answer to a change request."""
    actor = f"officer:{officer.id}"
    if target is None:
        return await accept(incoming, session=session, files=deps.files, actor=actor)
    assert target.id is not None
    return await accept_revision(
        incoming, session=session, files=deps.files, submission_id=target.id, actor=actor
    )


async def enqueue_receipt(*, session: AsyncSession, accepted: Accepted, chat_id: int) -> None:
    """The receipt with the code, once per submission revision."""
    sub = accepted.submission
    if accepted.revision > 1:
        body = texts.RECEIPT_REVISION.format(code=sub.code, revision=accepted.revision)
    else:
        body = texts.RECEIPT.format(
            code=sub.code,
            title=sub.title or NO_TITLE,
            kind=KIND_LABELS.get(str(sub.kind), str(sub.kind)),
            files=accepted.file_count,
        )
    await enqueue(
        session=session,
        key=f"tg-receipt:{sub.id}:{accepted.revision}",
        channel=TELEGRAM,
        recipient=str(chat_id),
        body=body,
        submission_id=sub.id,
    )


class Submitter:
    """The "send for review" button."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def send(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Store the open draft as a submission (or a new version) and enqueue the receipt."""
        query, user = update.callback_query, update.effective_user
        assert query is not None and user is not None and query.message is not None
        chat_id = query.message.chat.id
        await answer(query)
        async with self.deps.db.session() as session:
            officer = await get_officer_by_telegram(session=session, telegram_user_id=user.id)
            rows = await draft_rows(session=session, user_id=user.id) if officer else []
            target = (
                await revision_target(session=session, rows=rows, officer=officer)
                if officer
                else None
            )
        items = draft_items([r.raw for r in rows if r.kind in MESSAGE_KINDS])
        if officer is None or not items:
            await self._reply(
                update, context, chat_id, texts.NOT_LINKED if officer is None else texts.DRAFT_GONE
            )
            return
        try:
            files = await download(context.bot, items)
        except TelegramError as exc:
            log.warning("draft download failed for user %s: %s", user.id, exc)
            await self._reply(update, context, chat_id, texts.DOWNLOAD_FAILED.format(name="…"))
            return
        incoming = incoming_of(
            rows=rows, items=items, files=files, officer=officer, chat_id=chat_id, deps=self.deps
        )
        text = await self._store(update, incoming, target, officer, rows, chat_id)
        if text:
            await context.bot.send_message(chat_id, text)
            return
        await query.edit_message_reply_markup(None)
        self.deps.wake_outbox()
        self.deps.wake_cards()

    async def _store(
        self,
        update: Update,
        incoming: Incoming,
        target: Submission | None,
        officer: Officer,
        rows: list[TelegramUpdate],
        chat_id: int,
    ) -> str:
        """Store and commit; '' on success, else the text explaining why not."""
        async with self.deps.db.session() as session:
            try:
                accepted = await store(
                    session=session,
                    deps=self.deps,
                    incoming=incoming,
                    target=target,
                    officer=officer,
                )
            except (StaleTransitionError, NewsdeskError):
                await session.rollback()
                code = target.code if target else ""
                await self.deps.finish(session, update, outcomes.note("send_not_open"))
                return texts.REVISION_NOT_OPEN.format(code=code)
            sub = accepted.submission
            assert sub.id is not None
            sent = outcomes.sent(sub.id, accepted.revision)
            await set_outcomes(
                session=session, update_ids=[r.update_id for r in rows], outcome=sent
            )
            await enqueue_receipt(session=session, accepted=accepted, chat_id=chat_id)
            await self.deps.finish(session, update, sent)
        log.info(
            event_line(
                "intake.revised" if accepted.revision > 1 else "intake.stored", code=sub.code,
                unit=sub.unit_id, channel="telegram", revision=accepted.revision,
            )
        )  # fmt: skip
        return ""

    async def _reply(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str
    ) -> None:
        async with self.deps.db.session() as session:
            await self.deps.finish(session, update, outcomes.note("send_nothing"))
        await context.bot.send_message(chat_id, text)
