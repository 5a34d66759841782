"""A submitter is told on their submission's channel (the `channel` column), by the one
`outbox.notify.notify_submitter`: never guessed from what the sender field looks like."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from domain.kinds import Channel
from intake.accept import Incoming, accept
from outbox.notify import Voice, notify_submitter
from storage.db import Database
from storage.files import FileStore
from storage.models import AuditEvent, OutboxMessage, Submission

pytestmark = pytest.mark.integration
AT = datetime(2026, 11, 26, 2, tzinfo=UTC)


async def submission(db: Database, files: FileStore, key: str, **fields: object) -> Submission:
    async with db.session() as session:
        accepted = await accept(
            Incoming(source_key=key, received_at=AT, title="Tin", text="Nội dung", **fields),  # type: ignore[arg-type]
            session=session,
            files=files,
        )
        await session.commit()
        return accepted.submission


async def tell(db: Database, sub: Submission) -> bool:
    async with db.session() as session:
        told = await notify_submitter(
            session=session,
            submission=sub,
            key=f"test:{sub.id}",
            text="Tin, bài đã được đăng.",
            subject="[mã] Đã đăng",
            voice=Voice(),
            now=AT,
        )
        await session.commit()
        return told


async def test_channel_column_chooses_how_the_submitter_is_told(
    database: Database, files: FileStore
) -> None:
    by_mail = await submission(
        database, files, "m1", channel=Channel.EMAIL, sender="lan@soyte.example.vn",
        reply_to_message_id="<m1@soyte.example.vn>",
    )  # fmt: skip
    by_chat = await submission(
        database, files, "t1", channel=Channel.TELEGRAM, sender="tg:1001", telegram_chat_id=1001
    )
    # An address in the sender does not make a CLI entry an e-mail submission.
    by_hand = await submission(database, files, "c1", channel=Channel.CLI, sender="an@x.vn")
    # A Telegram submission whose chat was never recorded cannot be reached.
    no_chat = await submission(database, files, "t2", channel=Channel.TELEGRAM, sender="tg:1002")
    assert [await tell(database, s) for s in (by_mail, by_chat, by_hand, no_chat)] == [
        True,
        True,
        False,
        False,
    ]
    async with database.session() as session:
        rows = {m.key: m for m in (await session.exec(select(OutboxMessage))).all()}
        skipped = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "notify.skipped"))
        ).all()
    mail, chat = rows[f"test:{by_mail.id}:email"], rows[f"test:{by_chat.id}:tg"]
    assert (mail.channel, mail.recipient, mail.in_reply_to) == (
        "email",
        "lan@soyte.example.vn",
        "<m1@soyte.example.vn>",
    )
    assert mail.body.startswith("Kính gửi") and "Tin, bài đã được đăng." in mail.body
    assert (chat.channel, chat.recipient, chat.body) == (
        "telegram",
        "1001",
        "Tin, bài đã được đăng.",
    )
    assert set(rows) == {f"test:{by_mail.id}:email", f"test:{by_chat.id}:tg"}
    assert sorted(e.submission_id for e in skipped) == sorted([by_hand.id, no_chat.id])
