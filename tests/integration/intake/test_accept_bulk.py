"""accept_many() writes the same rows as accept() called once per item, and takes a
number of statements that does not grow with the batch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from domain.kinds import Channel, SubmissionKind
from intake.accept import Incoming, IncomingFile, accept, accept_many
from storage.db import Database
from storage.files import FileStore
from storage.models import Attachment, AuditEvent, Submission, SubmissionRevision
from tests.integration.intake.email.helpers import seed_officer, submissions

pytestmark = pytest.mark.integration
AT = datetime(2025, 11, 26, 3, 0, tzinfo=UTC)


def items(prefix: str, unit_id: int) -> list[Incoming]:
    photo = IncomingFile(b"\xff\xd8\xff" + prefix.encode() * 10, "ảnh.jpg", "image/jpeg")
    return [
        Incoming(
            channel=Channel.EMAIL, source_key=f"{prefix}:1", received_at=AT,
            sender="lan.nt@syt.hungyen.gov.vn", sender_name="Lan", title="Tin một",
            text="Nội dung", kind=SubmissionKind.NEWS, unit_id=unit_id, files=[photo],
            warnings=["w"], raw=b"raw-1" + prefix.encode(), reply_to_message_id="m1@x",
        ),
        Incoming(
            channel=Channel.EMAIL, source_key=f"{prefix}:2", received_at=AT,
            sender="la@gmail.com", title="Tin hai", text="Khác", raw=b"raw-2" + prefix.encode(),
        ),
    ]  # fmt: skip


SKIP = {"id", "code", "submission_id", "updated_at", "created_at", "at", "source_key", "sha256"}
SKIP |= {"raw_sha256", "received_at"}


def rows(objects: list[object]) -> list[dict[str, object]]:
    columns = [c.name for c in objects[0].__table__.columns] if objects else []  # type: ignore[attr-defined]
    return [{c: getattr(o, c) for c in columns if c not in SKIP} for o in objects]


async def snapshot(db: Database, ids: list[int]) -> dict[str, list[dict[str, object]]]:
    async with db.session() as session:
        out = {}
        for model in (Submission, SubmissionRevision, Attachment, AuditEvent):
            column = model.id if model is Submission else model.submission_id  # type: ignore[attr-defined]
            # each submission's rows in the order they were written
            order = (column, model.id)  # type: ignore[attr-defined]
            found = await session.exec(select(model).where(column.in_(ids)).order_by(*order))
            out[model.__name__] = rows(list(found.all()))
        return out


async def test_bulk_and_single_paths_write_the_same_rows(
    database: Database, files: FileStore
) -> None:
    await seed_officer(database)
    async with database.session() as session:
        unit_id = 1
        single = [
            await accept(i, session=session, files=files, actor="email")
            for i in items("a", unit_id)
        ]
        await session.commit()
    async with database.session() as session:
        batch = items("b", unit_id)
        bulk = await accept_many([*batch, batch[0]], session=session, files=files, actor="email")
        await session.commit()
    assert [r.created for r in bulk] == [True, True, False]
    assert bulk[2].submission.id == bulk[0].submission.id
    a = await snapshot(database, [r.submission.id for r in single])  # type: ignore[misc]
    b = await snapshot(database, [r.submission.id for r in bulk[:2]])  # type: ignore[misc]
    assert a == b
    codes = [s.code for s in await submissions(database)]
    assert codes == [f"2025-11-{n:04d}" for n in range(1, 5)]
    async with database.session() as session:
        again = await accept_many(items("b", unit_id), session=session, files=files)
    assert [r.created for r in again] == [False, False]


async def test_a_batch_takes_as_many_statements_as_one_item(
    database: Database, files: FileStore
) -> None:
    """GIVEN a batch of 2 items and one of 60 of the same shapes WHEN accept_many() stores
    each THEN both take the same number of statements (a mailbox read after an outage is
    not a round trip per mail), and every item of the large one gets its own submission,
    moved out of RECEIVED with its audit row."""
    from sqlalchemy import event

    await seed_officer(database)
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    async def statements(batch: list[Incoming]) -> tuple[int, list[object]]:
        seen.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", record)
        try:
            async with database.session() as session:
                stored = await accept_many(batch, session=session, files=files, actor="email")
                await session.commit()
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", record)
        return len(seen), list(stored)

    small, _ = await statements(items("s", 1))
    large, stored = await statements([item for n in range(30) for item in items(f"c{n}", 1)])
    assert large == small, seen
    assert len({r.submission.id for r in stored}) == 60  # type: ignore[attr-defined]
    assert all(r.created for r in stored)  # type: ignore[attr-defined]
    async with database.session() as session:
        ids = [r.submission.id for r in stored]  # type: ignore[attr-defined]
        audit = await session.exec(select(AuditEvent).where(AuditEvent.submission_id.in_(ids)))  # type: ignore[union-attr]
        steps = sorted((a.from_status or "", a.to_status or "") for a in audit.all())
    assert steps.count(("", "received")) == 60
    assert steps.count(("received", "pending_review")) == 30
    assert steps.count(("received", "quarantined")) == 30


async def test_rows_already_taken_raise_integrity_error_and_roll_back(database: Database) -> None:
    """GIVEN a ProcessedMail row WHEN a bulk insert (one statement of JSON rows on
    PostgreSQL, executemany on SQLite) repeats its (mailbox, UIDVALIDITY, UID) THEN
    SQLAlchemy's IntegrityError is
    raised (the reader then stores the batch one by one), the transaction rolls back
    whole, and the session works on."""
    from sqlalchemy.exc import IntegrityError

    from storage.models import ProcessedMail
    from storage.rows import Rows, insert_all

    def row(uid: int) -> dict[str, object]:
        return {
            "mailbox": "INBOX", "uidvalidity": 7, "uid": uid, "message_id": f"m{uid}@x",
            "content_hash": f"{uid:064x}", "outcome": "stored", "processed_at": AT,
        }  # fmt: skip

    async with database.session() as session:
        await insert_all(session, [Rows(ProcessedMail, [row(1)])])
        await session.commit()
    async with database.session() as session:
        with pytest.raises(IntegrityError):
            await insert_all(session, [Rows(ProcessedMail, [row(2), row(1)])])
        await session.rollback()
        await insert_all(session, [Rows(ProcessedMail, [row(3)])])
        await session.commit()
    async with database.session() as session:
        found = await session.exec(select(ProcessedMail.uid).order_by(ProcessedMail.uid))
        assert list(found.all()) == [1, 3]


async def test_outbox_keys_already_stored_are_left_alone_in_one_statement(
    database: Database,
) -> None:
    """GIVEN a receipt already in the outbox WHEN a batch's receipts (one repeating its key,
    one repeated within the batch) go in with the batch's processed-mail rows THEN the
    stored receipt is unchanged, the first of a repeated key wins, nothing raises, and the
    processed-mail rows are stored alongside (one statement on PostgreSQL)."""
    from outbox.store import outbox_rows
    from storage.models import OutboxMessage, ProcessedMail
    from storage.rows import Rows, insert_all

    def receipt(key: str, body: str) -> dict[str, object]:
        return {"key": key, "channel": "email", "recipient": "lan@syt.vn", "body": body}

    processed = {
        "mailbox": "INBOX", "uidvalidity": 7, "uid": 1, "message_id": "m1@x",
        "content_hash": "0" * 64, "outcome": "stored", "processed_at": AT,
    }  # fmt: skip
    async with database.session() as session:
        await insert_all(session, [outbox_rows([receipt("r1", "Đã nhận lần đầu")], now=AT)])
        await session.commit()
    async with database.session() as session:
        batch = [receipt("r1", "Lần hai"), receipt("r2", "Biên nhận"), receipt("r2", "Trùng")]
        await insert_all(session, [outbox_rows(batch, now=AT), Rows(ProcessedMail, [processed])])
        await session.commit()
    async with database.session() as session:
        found = await session.exec(select(OutboxMessage).order_by(OutboxMessage.key))
        stored = [(m.key, m.body, m.status, m.next_attempt_at) for m in found.all()]
        uids = (await session.exec(select(ProcessedMail.uid))).all()
    assert [(key, body, status) for key, body, status, _ in stored] == [
        ("r1", "Đã nhận lần đầu", "pending"),
        ("r2", "Biên nhận", "pending"),
    ]
    # SQLite gives back naive UTC datetimes, PostgreSQL aware ones
    assert all(at.replace(tzinfo=at.tzinfo or UTC) == AT for *_, at in stored)
    assert list(uids) == [1]
