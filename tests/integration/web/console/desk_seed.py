"""Submissions for the desk tests, stored the way intake stores them."""

from __future__ import annotations

import io
import random
from datetime import datetime

from PIL import Image

from domain.kinds import Channel, SubmissionKind
from intake.accept import Incoming, IncomingFile, accept, accept_revision
from storage.db import Database
from storage.files import FileStore


def _photo() -> bytes:
    """A photo-sized PNG (composition leaves a tiny one out as a signature logo)."""
    image = Image.frombytes("RGB", (160, 120), random.Random(5).randbytes(160 * 120 * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


PNG = _photo()


async def submit(
    db: Database,
    files: FileStore,
    *,
    key: str,
    title: str,
    text: str,
    at: datetime,
    unit_id: int | None,
    channel: Channel = Channel.EMAIL,
    kind: SubmissionKind = SubmissionKind.NEWS,
    image: bool = False,
) -> int:
    incoming = Incoming(
        channel=channel,
        source_key=key,
        received_at=at,
        sender="tg:1001" if channel is Channel.TELEGRAM else "lan@syt.gov.vn",
        sender_name="Nguyễn Thị Lan",
        title=title,
        text=text,
        unit_id=unit_id,
        kind=kind,
        telegram_chat_id=1001 if channel is Channel.TELEGRAM else None,
        files=[IncomingFile(PNG, "anh-1.png", "image/png", caption="Ảnh hội nghị")]
        if image
        else [],
    )
    async with db.session() as session:
        accepted = await accept(incoming, session=session, files=files)
        await session.commit()
    assert accepted.submission.id is not None
    return accepted.submission.id


async def revise(
    db: Database,
    files: FileStore,
    submission_id: int,
    *,
    key: str,
    title: str,
    text: str,
    at: datetime,
) -> None:
    incoming = Incoming(
        channel=Channel.EMAIL,
        source_key=key,
        received_at=at,
        sender="lan@syt.gov.vn",
        title=title,
        text=text,
    )
    async with db.session() as session:
        await accept_revision(
            incoming, session=session, files=files, submission_id=submission_id, actor="test"
        )
        await session.commit()
