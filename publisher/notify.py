"""Messages from the publisher to editors and submitters, always through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from outbox.letters import letter_about
from outbox.store import EMAIL, TELEGRAM, enqueue
from settings import Settings
from storage.models import Editor, Submission


def retry_markup(publication_id: int, label: str) -> dict[str, object]:
    """An inline keyboard with the retry button the bot answers (`pub:retry:<id>`)."""
    button = {"text": label, "callback_data": f"pub:retry:{publication_id}"}
    return {"inline_keyboard": [[button]]}


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
    settings: Settings,
    submission: Submission,
    key: str,
    text: str,
    subject: str,
    now: datetime,
) -> bool:
    """Tell the submitter on the channel they used (Telegram chat, or email as a reply: an
    official mail with the salutation and the sign-off of the OA and the Department)."""
    if submission.telegram_chat_id is not None:
        await enqueue(
            session=session,
            key=f"{key}:tg",
            channel=TELEGRAM,
            recipient=str(submission.telegram_chat_id),
            body=text,
            submission_id=submission.id,
            now=now,
        )
        return True
    if "@" in submission.sender:
        reply_to = submission.reply_to_message_id
        await enqueue(
            session=session,
            key=f"{key}:email",
            channel=EMAIL,
            recipient=submission.sender,
            subject=subject,
            body=await letter_about(
                session,
                submission,
                body=text,
                oa=settings.zalo.oa_name,
                department=settings.org.department_name,
            ),
            in_reply_to=reply_to,
            references=reply_to,
            submission_id=submission.id,
            now=now,
        )
        return True
    return False
