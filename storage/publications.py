"""Publication rows: one per (submission revision, target), claimed and advanced with CAS.

The one place where a publication's status changes is `transition()`: a compare-and-set on
status and version plus an audit row, refused unless domain.states allows the move. `save()`
changes everything else (payload, attempts, the claim) with the same version check and never
the status.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.events import actor_id, event_line
from domain.states import PUBLICATION_ACTIVE, PublicationStatus, check_publication_move
from storage.audit import add_audit
from storage.models import Publication
from storage.rows import dialect_insert

log = logging.getLogger(__name__)
TARGET = "zalo"
P = PublicationStatus


async def add_publication(
    *,
    session: AsyncSession,
    submission_id: int,
    revision: int,
    due_at: datetime,
    dry_run: bool,
    broadcast: bool,
    now: datetime,
) -> Publication:
    """Insert the publication for a submission revision unless it exists; return the row."""
    values = {
        "submission_id": submission_id,
        "revision": revision,
        "target": TARGET,
        "status": P.QUEUED.value,  # the initial state; every later one is a transition()
        "version": 1,
        "dry_run": dry_run,
        "broadcast": broadcast,
        "due_at": due_at,
        "next_attempt_at": due_at,
        "payload": {},
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    insert = dialect_insert(session)
    stmt = insert(Publication).values(**values).on_conflict_do_nothing()
    await session.exec(stmt)
    query = select(Publication).where(
        Publication.submission_id == submission_id,
        Publication.revision == revision,
        Publication.target == TARGET,
    )
    return (await session.exec(query)).one()


async def get_publication(*, session: AsyncSession, publication_id: int) -> Publication | None:
    return await session.get(Publication, publication_id, populate_existing=True)


async def list_publications(
    *, session: AsyncSession, statuses: Sequence[str] | None = None, limit: int = 100
) -> list[Publication]:
    """Newest first."""
    query = select(Publication)
    if statuses:
        query = query.where(col(Publication.status).in_(list(statuses)))
    query = query.order_by(col(Publication.id).desc()).limit(limit)
    return list((await session.exec(query)).all())


async def count_due_between(*, session: AsyncSession, start: datetime, end: datetime) -> int:
    """Live publications planned in [start, end) (for the daily maximum)."""
    query = (
        select(func.count())
        .select_from(Publication)
        .where(col(Publication.due_at) >= start, col(Publication.due_at) < end)
        .where(col(Publication.status).not_in([P.FAILED.value, P.REMOVED.value]))
        .where(Publication.dry_run == False)  # noqa: E712
    )
    return int((await session.exec(query)).one())


async def claim_due(
    *,
    session: AsyncSession,
    now: datetime,
    lease: timedelta,
    limit: int = 5,
    instance: str | None = None,
) -> list[Publication]:
    """Take a lease on due active publications (SKIP LOCKED on PostgreSQL) in the name of
    `instance` until `now + lease`; caller commits."""
    query = (
        select(Publication)
        .where(col(Publication.status).in_([s.value for s in PUBLICATION_ACTIVE]))
        .where(col(Publication.next_attempt_at) <= now)
        .order_by(col(Publication.due_at), col(Publication.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for row in list((await session.exec(query)).all()):
        # The version check makes the claim safe where rows cannot be locked (SQLite reads
        # outside a transaction): of two claimers, only one UPDATE matches.
        claim = {"next_attempt_at": now + lease, "claimed_by": instance}
        if await save(session=session, publication=row, now=now, **claim):
            claimed.append(row)
    return claimed


async def resume_claimed_by(*, session: AsyncSession, instance: str, now: datetime) -> int:
    """Publications `instance` was working on when it died are due now, not when their lease
    runs out (the instance is restarting, so nobody else holds them). The version moves on,
    so a process that is in fact still alive under the same name loses them (LostLease) and
    a create it may have sent is reconciled. Caller commits."""
    stmt = (
        update(Publication)
        .where(col(Publication.claimed_by) == instance)
        .where(col(Publication.status).in_([s.value for s in PUBLICATION_ACTIVE]))
        .where(col(Publication.next_attempt_at) > now)
        .values(version=Publication.version + 1, next_attempt_at=now, updated_at=now)
    )
    result = await session.exec(stmt)
    return int(result.rowcount or 0)


async def save(
    *, session: AsyncSession, publication: Publication, now: datetime, **changes: Any
) -> bool:
    """Apply `changes` only if nobody advanced the row since we read it (CAS on version);
    False when somebody did. The status is not among them: that is `transition()`'s.

    The row object is detached first so the session never writes it a second time.
    """
    if "status" in changes:
        raise TypeError("a publication's status changes through transition() only")
    return await _compare_and_set(session, publication, now, changes)


async def transition(
    *,
    session: AsyncSession,
    publication: Publication,
    target: PublicationStatus | str,
    now: datetime,
    actor: str,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    **changes: Any,
) -> bool:
    """Move the publication to `target` (with `changes`) only if it is still in the status
    and version we read, and record the move in the submission's audit trail; the caller
    commits both together. False when another worker moved it first (nothing written; on
    SQLite the caller's transaction is rolled back, as a stale snapshot cannot write);
    IllegalPublicationMoveError when the lifecycle has no such move.
    """
    current, goal = PublicationStatus(publication.status), PublicationStatus(target)
    check_publication_move(publication.id or 0, current, goal)
    if "status" in changes:
        raise TypeError("pass the new status as `target`")
    try:
        moved = await _compare_and_set(
            session, publication, now, {**changes, "status": goal.value}, expected=current
        )
    except OperationalError as exc:
        # SQLite in WAL mode refuses to upgrade a stale read snapshot to a writer
        # ("database is locked"): somebody else wrote first, which is a lost race too.
        if "locked" not in str(exc).lower():
            raise
        await session.rollback()
        return False
    if not moved:
        return False
    add_audit(
        session=session,
        actor=actor,
        action=f"publication.{goal.value}",
        submission_id=publication.submission_id,
        from_status=current.value,
        to_status=goal.value,
        reason=reason,
        details={"publication_id": publication.id, **(details or {})},
        at=now,
    )
    log.info(
        event_line(
            f"publication.{goal.value}", id=publication.id,
            submission=publication.submission_id, outcome=goal.value, by=actor_id(actor),
        )
    )  # fmt: skip
    return True


async def _compare_and_set(
    session: AsyncSession,
    publication: Publication,
    now: datetime,
    changes: dict[str, Any],
    *,
    expected: PublicationStatus | None = None,
) -> bool:
    """One UPDATE ... WHERE id = :id AND version = :version [AND status = :expected]."""
    if publication in session:
        session.expunge(publication)
    stmt = (
        update(Publication)
        .where(col(Publication.id) == publication.id)
        .where(col(Publication.version) == publication.version)
    )
    if expected is not None:
        stmt = stmt.where(col(Publication.status) == expected.value)
    stmt = stmt.values(version=publication.version + 1, updated_at=now, **changes)
    result = await session.exec(stmt)
    if result.rowcount != 1:
        return False
    for key, value in changes.items():
        setattr(publication, key, value)
    publication.version += 1
    publication.updated_at = now
    return True
