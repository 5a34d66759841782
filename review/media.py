"""The submission's photos, videos and documents under its review card: editors see what
they approve. Photos go as albums (the code in the caption), videos and documents as files
within the Bot API's upload limits; a file beyond them gets a note instead.

Sent once per card message: an audit row ("review.media_sent", with the card's message id)
is written after the files went out; a crash between the two sends them again under the
same card, never loses them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from sqlmodel import col, select
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest

from review import texts
from sources.stored import list_revisions, media_attachments
from storage.audit import add_audit
from storage.db import Database
from storage.files import FileStore
from storage.models import Attachment, AuditEvent, Submission

log = logging.getLogger(__name__)

MB = 1024 * 1024
PHOTO_MAX = 10 * MB  # sendPhoto / sendMediaGroup upload limit
FILE_MAX = 50 * MB  # sendVideo / sendDocument upload limit (cloud Bot API)
ALBUM_MAX = 10
MEDIA_SENT = "review.media_sent"

Call = Callable[..., Awaitable[Any]]


async def already_sent(db: Database, submission_id: int, message_id: int) -> bool:
    async with db.session() as session:
        rows = await session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.submission_id) == submission_id)
            .where(col(AuditEvent.action) == MEDIA_SENT)
        )
        return any(e.details.get("card") == message_id for e in rows.all())


async def send_media(
    *,
    db: Database,
    files: FileStore,
    bot: Bot,
    chat_id: int,
    submission: Submission,
    card_message_id: int,
    call: Call,
) -> int:
    """Photos as albums, then videos and documents, as replies to the card; returns how many
    messages were sent. `call` runs each Bot API call, paced (CardSync._call)."""
    assert submission.id is not None
    if await already_sent(db, submission.id, card_message_id):
        return 0
    async with db.session() as session:
        revisions = await list_revisions(session=session, submission_id=submission.id)
        attachments = await media_attachments(
            session=session, submission=submission, revisions=revisions
        )

    async def attempt(what: str, send: Callable[[], Awaitable[Any]]) -> None:
        """One send; a file Telegram refuses (not a readable photo...) becomes a note."""
        try:
            await call(send)
        except BadRequest as exc:
            log.warning("media of %s refused by Telegram: %s", submission.code, exc.message)
            note = texts.MEDIA_REFUSED.format(code=submission.code, what=what, error=exc.message)
            await call(
                partial(bot.send_message, chat_id, note, reply_to_message_id=card_message_id)
            )

    photos = [a for a in attachments if a.media == "image" and a.size <= PHOTO_MAX]
    others = [a for a in attachments if a not in photos]
    sent = 0
    for start in range(0, len(photos), ALBUM_MAX):
        group = photos[start : start + ALBUM_MAX]
        caption = texts.MEDIA_ALBUM.format(
            code=submission.code, first=start + 1, last=start + len(group), total=len(photos)
        )
        datas = [await asyncio.to_thread(files.read, a.sha256) for a in group]
        if len(group) == 1:
            await attempt(
                group[0].filename,
                partial(
                    bot.send_photo,
                    chat_id,
                    datas[0],
                    caption=caption,
                    reply_to_message_id=card_message_id,
                ),
            )
        else:
            media = [
                InputMediaPhoto(data, caption=caption if i == 0 else None, filename=a.filename)
                for i, (data, a) in enumerate(zip(datas, group, strict=True))
            ]
            await attempt(
                caption,
                partial(bot.send_media_group, chat_id, media, reply_to_message_id=card_message_id),
            )
        sent += 1
    for item in others:
        sent += await _send_file(files, bot, chat_id, submission, item, card_message_id, attempt)
    async with db.session() as session:
        add_audit(
            session=session,
            actor="review-cards",
            action=MEDIA_SENT,
            submission_id=submission.id,
            details={"card": card_message_id, "messages": sent},
        )
        await session.commit()
    return sent


async def _send_file(
    files: FileStore,
    bot: Bot,
    chat_id: int,
    submission: Submission,
    item: Attachment,
    card_message_id: int,
    attempt: Callable[[str, Callable[[], Awaitable[Any]]], Awaitable[None]],
) -> int:
    caption = texts.MEDIA_FILE.format(code=submission.code, name=item.filename)
    if item.size > FILE_MAX:
        note = texts.MEDIA_TOO_LARGE.format(
            code=submission.code, name=item.filename, size=round(item.size / MB, 1)
        )
        await attempt(
            item.filename,
            partial(bot.send_message, chat_id, note, reply_to_message_id=card_message_id),
        )
        return 1
    data = await asyncio.to_thread(files.read, item.sha256)
    send = bot.send_video if item.media == "video" else bot.send_document
    await attempt(
        item.filename,
        partial(
            send,
            chat_id,
            data,
            caption=caption,
            filename=item.filename,
            reply_to_message_id=card_message_id,
        ),
    )
    return 1
