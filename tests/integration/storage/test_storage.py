"""Storage on SQLite and PostgreSQL: migrations, codes, the compare-and-set transition."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from domain.errors import IllegalTransitionError, StaleTransitionError
from domain.kinds import Channel, UnitKind
from domain.states import SubmissionStatus
from intake.accept import Incoming, IncomingFile, accept, accept_revision
from storage import migrate
from storage.audit import list_audit
from storage.db import Database, async_url
from storage.files import FileStore
from storage.registry import upsert_unit
from storage.submissions import (
    get_submission,
    list_attachments,
    next_code,
    next_codes,
    transition,
)

S = SubmissionStatus
pytestmark = pytest.mark.integration


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(async_url(url))
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names


async def test_migrations_upgrade_downgrade_upgrade(database_url: str) -> None:
    """GIVEN a migrated database WHEN downgraded to base and upgraded again THEN it matches."""
    assert "submission" in await _tables(database_url)
    await asyncio.to_thread(migrate.check, database_url)
    await asyncio.to_thread(migrate.downgrade, database_url, "base")
    assert await _tables(database_url) <= {"alembic_version"}
    await asyncio.to_thread(migrate.upgrade, database_url, "head")
    await asyncio.to_thread(migrate.check, database_url)
    assert {"submission", "outbox_message", "zalo_token"} <= await _tables(database_url)


async def _unit(db: Database, code: str = "so-y-te") -> int:
    async with db.session() as session:
        unit, _ = await upsert_unit(
            session=session,
            code=code,
            name="Sở Y tế",
            kind=UnitKind.DEPARTMENT,
            addresses=["vanphong@syt.example.vn", "@syt.example.vn"],
        )
        await session.commit()
        assert unit.id is not None
        return unit.id


def _incoming(key: str, unit_id: int | None, **extra: object) -> Incoming:
    values: dict[str, object] = {
        "channel": Channel.EMAIL,
        "source_key": key,
        "received_at": datetime(2024, 7, 10, 2, 0, tzinfo=UTC),
        "sender": "vanphong@syt.example.vn",
        "title": "Tiêm chủng mở rộng",
        "text": "Nội dung bài viết.",
        "unit_id": unit_id,
        "files": [IncomingFile(b"\x89PNG fake", "anh.png", "image/png")],
        "raw": b"raw message",
    }
    values.update(extra)
    return Incoming(**values)  # type: ignore[arg-type]


async def test_accept_is_idempotent_and_codes_are_per_month(
    database: Database, files: FileStore
) -> None:
    unit_id = await _unit(database)
    async with database.session() as session:
        first = await accept(_incoming("email:a", unit_id), session=session, files=files)
        second = await accept(_incoming("email:b", unit_id), session=session, files=files)
        await session.commit()
    async with database.session() as session:
        again = await accept(_incoming("email:a", unit_id), session=session, files=files)
        await session.commit()
    assert (first.submission.code, second.submission.code) == ("2024-07-0001", "2024-07-0002")
    assert again.created is False and again.submission.id == first.submission.id
    assert first.submission.status == S.PENDING_REVIEW
    async with database.session() as session:
        attachments = await list_attachments(session=session, submission_id=first.submission.id)
        trail = await list_audit(session=session, submission_id=first.submission.id or 0)
    assert [a.filename for a in attachments] == ["anh.png"]
    assert files.read(attachments[0].sha256) == b"\x89PNG fake"
    assert [(e.action, e.to_status) for e in trail] == [
        ("received", "received"),
        ("pending_review", "pending_review"),
    ]


async def test_unknown_sender_is_quarantined(database: Database, files: FileStore) -> None:
    async with database.session() as session:
        result = await accept(_incoming("email:q", None), session=session, files=files)
        await session.commit()
    assert result.submission.status == S.QUARANTINED
    assert result.submission.unit_id is None


async def test_new_version_keeps_code_and_received_time(
    database: Database, files: FileStore
) -> None:
    unit_id = await _unit(database)
    async with database.session() as session:
        sub = (
            await accept(_incoming("email:v1", unit_id), session=session, files=files)
        ).submission
        sub = await transition(
            session=session,
            submission_id=sub.id or 0,
            expected_status=S.PENDING_REVIEW,
            expected_version=sub.version,
            new_status=S.CHANGES_REQUESTED,
            actor="editor:1",
            reason="Bổ sung ảnh",
        )
        await session.commit()
    later = _incoming(
        "email:v2", unit_id, title="Tiêm chủng (bản 2)", received_at=datetime.now(UTC)
    )
    async with database.session() as session:
        result = await accept_revision(
            later, session=session, files=files, submission_id=sub.id or 0, actor="officer:1"
        )
        await session.commit()
    assert result.revision == 2
    assert result.submission.code == sub.code
    assert result.submission.received_at == sub.received_at
    assert result.submission.status == S.PENDING_REVIEW
    assert result.submission.title == "Tiêm chủng (bản 2)"


async def test_illegal_move_is_refused(database: Database, files: FileStore) -> None:
    unit_id = await _unit(database)
    async with database.session() as session:
        sub = (
            await accept(_incoming("email:x", unit_id), session=session, files=files)
        ).submission
        with pytest.raises(IllegalTransitionError):
            await transition(
                session=session,
                submission_id=sub.id or 0,
                expected_status=S.PENDING_REVIEW,
                expected_version=sub.version,
                new_status=S.PUBLISHED,
                actor="editor:1",
            )


async def test_two_concurrent_transitions_exactly_one_wins(
    database: Database, files: FileStore
) -> None:
    """GIVEN one pending submission WHEN two editors approve at once THEN exactly one wins."""
    unit_id = await _unit(database)
    async with database.session() as session:
        sub = (
            await accept(_incoming("email:r", unit_id), session=session, files=files)
        ).submission
        await session.commit()
    barrier = asyncio.Barrier(2)

    async def approve(editor: str) -> str:
        async with database.session() as session:
            current = await get_submission(session=session, submission_id=sub.id or 0)
            assert current is not None
            await barrier.wait()
            try:
                await transition(
                    session=session,
                    submission_id=current.id or 0,
                    expected_status=current.status,
                    expected_version=current.version,
                    new_status=S.APPROVED,
                    actor=editor,
                    changes={"decided_by": editor},
                )
                await asyncio.sleep(0.05)  # hold the row while the other one tries
                await session.commit()
                return "won"
            except StaleTransitionError as exc:
                return f"lost to {exc.decided_by}"

    results = await asyncio.gather(approve("editor:1"), approve("editor:2"))
    assert sorted(r.split(" ")[0] for r in results) == ["lost", "won"]
    winner = "editor:1" if results[0] == "won" else "editor:2"
    assert f"lost to {winner}" in results
    async with database.session() as session:
        final = await get_submission(session=session, submission_id=sub.id or 0)
        trail = await list_audit(session=session, submission_id=sub.id or 0)
    assert final is not None and final.status == S.APPROVED and final.decided_by == winner
    approvals = [e for e in trail if e.to_status == "approved"]
    assert [e.actor for e in approvals] == [winner]


async def test_codes_run_on_per_month_for_single_bulk_and_concurrent_takers(
    database: Database,
) -> None:
    """next_code() and next_codes() share one counter per month (an upsert); takers in
    concurrent transactions get distinct, consecutive codes."""
    async with database.session() as session:
        assert await next_code(session=session, period="2026-11") == "2026-11-0001"
        taken = await next_codes(session=session, period="2026-11", count=3)
        assert taken == ["2026-11-0002", "2026-11-0003", "2026-11-0004"]
        assert await next_codes(session=session, period="2026-12", count=2) == [
            "2026-12-0001",
            "2026-12-0002",
        ]
        assert await next_codes(session=session, period="2026-11", count=0) == []
        await session.commit()

    async def take(count: int) -> list[str]:
        async with database.session() as session:
            codes = await next_codes(session=session, period="2026-11", count=count)
            await session.commit()
            return codes

    batches = await asyncio.gather(*(take(5) for _ in range(4)))
    assert all(len(set(batch)) == 5 for batch in batches)
    assert sorted(c for batch in batches for c in batch) == [
        f"2026-11-{n:04d}" for n in range(5, 25)
    ]
    async with database.session() as session:
        assert await next_code(session=session, period="2026-11") == "2026-11-0025"
        await session.rollback()
    async with database.session() as session:  # a rolled-back code is taken again
        assert await next_code(session=session, period="2026-11") == "2026-11-0025"
