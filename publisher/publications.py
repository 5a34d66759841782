"""Publication rows: one per (submission revision, target), claimed and advanced with CAS."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from publisher.policy import LEASE, day_bounds
from storage.models import Publication
from storage.rows import dialect_insert

TARGET = "zalo"


class PubStatus(StrEnum):
    """Where a publication is; each state is committed before the next call to Zalo."""

    QUEUED = "queued"
    CREATING = "creating"  # create may have been sent: reconcile before creating again
    CREATED = "created"  # token stored, waiting for verify
    VERIFIED = "verified"  # article id stored
    BROADCASTING = "broadcasting"  # broadcast may have been sent: never resent automatically
    BROADCAST = "broadcast"
    PUBLISHED = "published"
    FAILED = "failed"
    REMOVED = "removed"


ACTIVE = (
    PubStatus.QUEUED,
    PubStatus.CREATING,
    PubStatus.CREATED,
    PubStatus.VERIFIED,
    PubStatus.BROADCASTING,
    PubStatus.BROADCAST,
)


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
        "status": PubStatus.QUEUED.value,
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


async def count_due_on(*, session: AsyncSession, day: date) -> int:
    """Publications planned for a local day (for the daily maximum)."""
    start, end = day_bounds(day)
    query = (
        select(func.count())
        .select_from(Publication)
        .where(col(Publication.due_at) >= start, col(Publication.due_at) < end)
        .where(col(Publication.status).not_in([PubStatus.FAILED, PubStatus.REMOVED]))
        .where(Publication.dry_run == False)  # noqa: E712
    )
    return int((await session.exec(query)).one())


async def claim_due(
    *, session: AsyncSession, now: datetime, limit: int = 5, instance: str | None = None
) -> list[Publication]:
    """Take a lease on due active publications (SKIP LOCKED on PostgreSQL) in the name of
    `instance`; caller commits."""
    query = (
        select(Publication)
        .where(col(Publication.status).in_([s.value for s in ACTIVE]))
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
        lease = {"next_attempt_at": now + LEASE, "claimed_by": instance}
        if await save(session=session, publication=row, now=now, **lease):
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
        .where(col(Publication.status).in_([s.value for s in ACTIVE]))
        .where(col(Publication.next_attempt_at) > now)
        .values(version=Publication.version + 1, next_attempt_at=now, updated_at=now)
    )
    result = await session.exec(stmt)
    return int(result.rowcount or 0)


async def save(
    *, session: AsyncSession, publication: Publication, now: datetime, **changes: Any
) -> bool:
    """Apply `changes` only if nobody advanced the row since we read it (CAS on version).

    The row object is detached first so the session never writes it a second time.
    """
    if publication in session:
        session.expunge(publication)
    stmt = (
        update(Publication)
        .where(col(Publication.id) == publication.id)
        .where(col(Publication.version) == publication.version)
        .values(version=publication.version + 1, updated_at=now, **changes)
    )
    result = await session.exec(stmt)
    if result.rowcount != 1:
        return False
    for key, value in changes.items():
        setattr(publication, key, value)
    publication.version += 1
    publication.updated_at = now
    return True
