"""storage.publications on SQLite and PostgreSQL: the one place a publication's status changes
(compare-and-set on status and version, an audit row per move), and `save()` for the rest."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import IllegalPublicationMoveError
from domain.kinds import Channel, UnitKind
from domain.states import PublicationStatus
from intake.accept import Incoming, accept
from storage.audit import list_audit
from storage.db import Database
from storage.files import FileStore
from storage.models import Publication
from storage.publications import add_publication, get_publication, save, transition
from storage.registry import upsert_unit

P = PublicationStatus
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
pytestmark = pytest.mark.integration


async def _publication(db: Database, files: FileStore) -> Publication:
    """A stored submission with its queued publication."""
    async with db.session() as session:
        unit, _ = await upsert_unit(
            session=session, code="so-y-te", name="Sở Y tế", kind=UnitKind.DEPARTMENT
        )
        incoming = Incoming(
            channel=Channel.EMAIL,
            source_key="email:pub",
            received_at=NOW,
            sender="vanphong@syt.example.vn",
            title="Tiêm chủng mở rộng",
            text="Nội dung bài viết.",
            unit_id=unit.id,
        )
        sub = (await accept(incoming, session=session, files=files)).submission
        pub = await add_publication(
            session=session,
            submission_id=sub.id or 0,
            revision=sub.revision,
            due_at=NOW,
            dry_run=False,
            broadcast=True,
            now=NOW,
        )
        await session.commit()
    return pub


async def test_each_move_is_one_compare_and_set_with_its_audit_row(
    database: Database, files: FileStore
) -> None:
    """GIVEN a queued publication WHEN it is walked along the whole broadcast path THEN each
    move bumps the version, stores its changes and leaves one audit row naming it."""
    pub = await _publication(database, files)
    path = [P.CREATING, P.CREATED, P.VERIFIED, P.BROADCASTING, P.BROADCAST, P.PUBLISHED]
    for step, target in enumerate(path, start=1):
        async with database.session() as session:
            moved = await transition(
                session=session,
                publication=pub,
                target=target,
                now=NOW + timedelta(seconds=step),
                actor="publisher",
                attempts=step,
            )
            await session.commit()
        assert moved and (pub.status, pub.version, pub.attempts) == (target, 1 + step, step)
    async with database.session() as session:
        stored = await get_publication(session=session, publication_id=pub.id or 0)
        trail = await list_audit(session=session, submission_id=pub.submission_id)
    assert stored is not None
    assert (stored.status, stored.version, stored.attempts) == (P.PUBLISHED, 7, 6)
    moves = [e for e in trail if e.action.startswith("publication.")]
    assert [(e.from_status, e.to_status) for e in moves] == list(
        zip([P.QUEUED.value, *path[:-1]], [p.value for p in path], strict=True)
    )
    assert {e.actor for e in moves} == {"publisher"}
    assert {e.details["publication_id"] for e in moves} == {pub.id}
    assert [e.action for e in moves][-1] == "publication.published"


async def test_an_illegal_move_raises_and_writes_nothing(
    database: Database, files: FileStore
) -> None:
    pub = await _publication(database, files)
    async with database.session() as session:
        with pytest.raises(IllegalPublicationMoveError):
            await transition(
                session=session, publication=pub, target=P.BROADCAST, now=NOW, actor="publisher"
            )
        await session.commit()
    async with database.session() as session:
        stored = await get_publication(session=session, publication_id=pub.id or 0)
        trail = await list_audit(session=session, submission_id=pub.submission_id)
    assert stored is not None and (stored.status, stored.version) == (P.QUEUED, 1)
    assert not [e for e in trail if e.action.startswith("publication.")]


async def test_save_changes_the_rest_but_never_the_status(
    database: Database, files: FileStore
) -> None:
    pub = await _publication(database, files)
    async with database.session() as session:
        with pytest.raises(TypeError):
            await save(session=session, publication=pub, now=NOW, status=P.PUBLISHED.value)
        assert await save(session=session, publication=pub, now=NOW, attempts=3)
        await session.commit()
    async with database.session() as session:
        stored = await get_publication(session=session, publication_id=pub.id or 0)
    assert stored is not None and (stored.status, stored.attempts, stored.version) == (
        P.QUEUED,
        3,
        2,
    )


async def test_of_two_concurrent_moves_exactly_one_wins_and_is_audited(
    database: Database, files: FileStore
) -> None:
    """GIVEN two workers that read the same queued publication WHEN one moves it to creating
    and the other (an editor's remove) to removed at the same moment THEN exactly one move is
    stored, the loser gets False and writes nothing, and the trail has the winner's row only."""
    pub = await _publication(database, files)
    barrier = asyncio.Barrier(2)

    async def move(target: P, actor: str) -> bool:
        async with database.session() as session:
            mine = await get_publication(session=session, publication_id=pub.id or 0)
            assert mine is not None
            await barrier.wait()
            moved = await transition(
                session=session, publication=mine, target=target, now=NOW, actor=actor
            )
            if moved:
                await asyncio.sleep(0.05)  # hold the row while the other one tries
                await session.commit()
            return moved

    results = await asyncio.gather(move(P.CREATING, "publisher"), move(P.REMOVED, "cli"))
    assert sorted(results) == [False, True]
    winner = P.CREATING if results[0] else P.REMOVED
    async with database.session() as session:
        stored = await get_publication(session=session, publication_id=pub.id or 0)
        trail = await list_audit(session=session, submission_id=pub.submission_id)
    assert stored is not None and (stored.status, stored.version) == (winner, 2)
    moves = [(e.from_status, e.to_status) for e in trail if e.action.startswith("publication.")]
    assert moves == [(P.QUEUED.value, winner.value)]


async def test_a_move_from_a_stale_read_loses_cleanly(
    database: Database, files: FileStore
) -> None:
    """A worker holding an old copy (its lease ran out, another instance advanced the row)
    cannot move it: status and version no longer match."""
    pub = await _publication(database, files)
    old = Publication.model_validate(pub.model_dump())
    async with database.session() as session:
        assert await transition(
            session=session, publication=pub, target=P.CREATING, now=NOW, actor="publisher"
        )
        await session.commit()
    async with database.session() as session:
        assert not await transition(
            session=session, publication=old, target=P.FAILED, now=NOW, actor="publisher"
        )
        await session.commit()
    async with database.session() as session:
        stored = await get_publication(session=session, publication_id=pub.id or 0)
    assert stored is not None and (stored.status, stored.version) == (P.CREATING, 2)
