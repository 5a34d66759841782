"""Messages to editors and submitters, always through the outbox: the one place that
decides how a submitter is reached (review decisions, quarantine, publication).

The channel is the submission's own (`Submission.channel`): a Telegram submission is answered
in the chat it came from, an e-mail one by a reply to the original message, written as
official mail (outbox.letters). A submission that channel cannot reach (no chat recorded, no
usable address, a CLI entry) gets an audit row instead of a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from email.utils import parseaddr
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.kinds import Channel
from outbox.letters import letter_about
from outbox.store import EMAIL, TELEGRAM, enqueue
from settings import DEFAULT_DEPARTMENT, DEFAULT_OA_NAME, Settings
from storage.audit import add_audit
from storage.models import Editor, Submission
from tgbot.callbacks import RetryPublication
from tgbot.keyboards import bot_api_markup, button


@dataclass(frozen=True)
class Voice:
    """Who signs the submitter's notices and when approved items go out (from settings)."""

    department: str = DEFAULT_DEPARTMENT  # settings: org.department_name
    oa_name: str = DEFAULT_OA_NAME  # settings: zalo.oa_name
    publish_start: time = time(7, 0)
    publish_end: time = time(21, 0)


def voice_from(settings: Settings) -> Voice:
    """The notices' voice from Settings (org and zalo groups)."""
    return Voice(
        department=settings.org.department_name,
        oa_name=settings.zalo.oa_name,
        publish_start=settings.zalo.publish_start,
        publish_end=settings.zalo.publish_end,
    )


def retry_markup(publication_id: int, label: str) -> dict[str, object]:
    """An inline keyboard with the «Đăng lại» button the bot answers (review.publish_buttons)."""
    return bot_api_markup([[button(label, RetryPublication(publication_id))]])


async def notify_editors(
    *,
    session: AsyncSession,
    settings: Settings,
    key: str,
    text: str,
    subject: str,
    now: datetime,
    reply_markup: dict[str, object] | None = None,
    submission_id: int | None = None,
) -> int:
    """Queue `text` for the editors' Telegram chat and each active editor's email.

    `key` makes it idempotent: the same key never sends twice. Returns rows queued.
    """
    count = 0
    chat_id = settings.telegram.editors_chat_id
    if chat_id is not None:
        meta = {"reply_markup": reply_markup} if reply_markup else {}
        await enqueue(
            session=session,
            key=f"{key}:tg",
            channel=TELEGRAM,
            recipient=str(chat_id),
            body=text,
            meta=meta,
            submission_id=submission_id,
            now=now,
        )
        count += 1
    query = select(Editor).where(col(Editor.active)).where(col(Editor.email).is_not(None))
    for editor in (await session.exec(query)).all():
        await enqueue(
            session=session,
            key=f"{key}:email:{editor.id}",
            channel=EMAIL,
            recipient=str(editor.email),
            subject=subject,
            body=text,
            submission_id=submission_id,
            now=now,
        )
        count += 1
    return count


async def notify_submitter(
    *,
    session: AsyncSession,
    submission: Submission,
    key: str,
    text: str,
    subject: str,
    voice: Voice,
    now: datetime | None = None,
    telegram_markup: dict[str, Any] | None = None,
    as_letter: bool = True,
) -> bool:
    """Queue ``text`` for the submitter on their submission's channel; False (audited) when
    that channel cannot reach them. ``key`` (suffixed with the channel) makes it idempotent.

    By e-mail the text becomes official mail (salutation and the sign-off of the OA and the
    Department) unless ``as_letter`` is False (a text that is a whole letter already), and
    it replies to the submitter's message. ``telegram_markup`` adds buttons in Telegram.
    """
    channel = Channel(submission.channel)
    common: dict[str, Any] = {"session": session, "submission_id": submission.id, "now": now}
    if channel == Channel.TELEGRAM and submission.telegram_chat_id is not None:
        await enqueue(
            key=f"{key}:tg",
            channel=TELEGRAM,
            recipient=str(submission.telegram_chat_id),
            body=text,
            meta={"reply_markup": telegram_markup} if telegram_markup else {},
            **common,
        )
        return True
    address = parseaddr(submission.sender)[1] if channel == Channel.EMAIL else ""
    if "@" in address:  # a usable address, not a display name or an empty From
        body = text
        if as_letter:
            body = await letter_about(
                session, submission, body=text, oa=voice.oa_name, department=voice.department
            )
        await enqueue(
            key=f"{key}:email",
            channel=EMAIL,
            recipient=address,
            subject=subject,
            body=body,
            in_reply_to=submission.reply_to_message_id,
            references=submission.reply_to_message_id,
            **common,
        )
        return True
    add_audit(
        session=session,
        actor="system",
        action="notify.skipped",
        submission_id=submission.id,
        reason=f"no way to reach the submitter by {channel.value}",
        details={"key": key},
    )
    return False
