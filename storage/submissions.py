"""Submissions: creation with a public code, lookups, and the compare-and-set transition."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, insert, update
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import IllegalTransitionError, StaleTransitionError
from domain.events import actor_id, event_line
from domain.states import SubmissionStatus, can_transition
from storage.audit import add_audit
from storage.models import (
    Attachment,
    AuditEvent,
    CodeCounter,
    Submission,
    SubmissionRevision,
    utcnow,
)
from storage.rows import Rows, dialect_insert, full_row, insert_all, insert_returning, table_of

log = logging.getLogger(__name__)


async def next_code(*, session: AsyncSession, period: str) -> str:
    """The next public code for a month, e.g. "2024-07-0012" (gap-free per committed month)."""
    return (await next_codes(session=session, period=period, count=1))[0]


async def get_submission(*, session: AsyncSession, submission_id: int) -> Submission | None:
    return await session.get(Submission, submission_id, populate_existing=True)


async def get_submission_by_code(*, session: AsyncSession, code: str) -> Submission | None:
    result = await session.exec(select(Submission).where(Submission.code == code.strip()))
    return result.first()


async def get_revision_by_source(
    *, session: AsyncSession, source_key: str
) -> SubmissionRevision | None:
    result = await session.exec(
        select(SubmissionRevision).where(SubmissionRevision.source_key == source_key)
    )
    return result.first()


async def list_submissions(
    *,
    session: AsyncSession,
    statuses: Sequence[SubmissionStatus] | None = None,
    unit_id: int | None = None,
    period: str | None = None,
    limit: int = 200,
) -> list[Submission]:
    """Submissions, newest first, filtered as asked."""
    query = select(Submission)
    if statuses:
        query = query.where(col(Submission.status).in_([s.value for s in statuses]))
    if unit_id is not None:
        query = query.where(Submission.unit_id == unit_id)
    if period is not None:
        query = query.where(Submission.period == period)
    query = query.order_by(col(Submission.received_at).desc(), col(Submission.id).desc())
    return list((await session.exec(query.limit(limit))).all())


async def list_attachments(
    *, session: AsyncSession, submission_id: int, revision: int | None = None
) -> list[Attachment]:
    query = select(Attachment).where(Attachment.submission_id == submission_id)
    if revision is not None:
        query = query.where(Attachment.revision == revision)
    query = query.order_by(col(Attachment.revision), col(Attachment.position))
    return list((await session.exec(query)).all())


async def record_received(
    *, session: AsyncSession, values: Sequence[Mapping[str, Any]], actor: str
) -> list[Submission]:
    """Store new submissions in their initial status, RECEIVED, each with its "received"
    audit row: the one way a submission comes into being (intake's accept_many(), of which
    accept() is the one-item case); every later status is reached through transition().
    `values` are Submission columns (intake.accept.submission_values()); the stored rows
    come back in order. A batch takes a fixed number of statements; the caller commits."""
    if not values:
        return []
    now = utcnow()
    status = {"status": SubmissionStatus.RECEIVED.value, "version": 1, "updated_at": now}
    rows = [full_row(Submission, dict(v) | status) for v in values]
    stored = await _insert_submissions(session, rows)
    audits = [
        {
            "submission_id": submission.id, "at": now, "actor": actor, "action": "received",
            "from_status": None, "to_status": SubmissionStatus.RECEIVED.value, "reason": None,
            "details": {"channel": str(submission.channel), "sender": submission.sender},
        }
        for submission in stored
    ]  # fmt: skip
    await insert_all(session, [Rows(AuditEvent, audits)])
    return stored


async def _insert_submissions(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> list[Submission]:
    """Insert plain rows and load them back as Submission objects, in order. PostgreSQL:
    one statement that inserts and returns them (storage.rows.insert_returning()); SQLite:
    one executemany, then the rows read back by their unique codes."""
    codes = [row["code"] for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        stored = await insert_returning(session, Submission, rows)
    else:
        await session.exec(insert(table_of(Submission)), params=rows)
        loaded = await session.exec(
            select(Submission).where(col(Submission.code).in_(codes)),
            execution_options={"populate_existing": True},
        )
        stored = list(loaded.all())
    by_code = {submission.code: submission for submission in stored}
    return [by_code[code] for code in codes]


async def revisions_by_source(
    *, session: AsyncSession, source_keys: Sequence[str]
) -> dict[str, SubmissionRevision]:
    """The stored revisions with these source keys, by key (one statement)."""
    if not source_keys:
        return {}
    result = await session.exec(
        select(SubmissionRevision).where(col(SubmissionRevision.source_key).in_(source_keys))
    )
    return {revision.source_key: revision for revision in result.all()}


async def transition(
    *,
    session: AsyncSession,
    submission_id: int,
    expected_status: SubmissionStatus | str,
    expected_version: int,
    new_status: SubmissionStatus | str,
    actor: str,
    reason: str | None = None,
    action: str | None = None,
    changes: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> Submission:
    """Move a submission to `new_status` only if nobody changed it since `expected_version`.

    One UPDATE guarded by status and version, plus an audit row, in the caller's transaction
    (the caller commits). Exactly one of two racing callers wins; the other gets
    StaleTransitionError carrying the state that won.
    """
    expected = SubmissionStatus(expected_status)
    target = SubmissionStatus(new_status)
    if not can_transition(expected, target):
        raise IllegalTransitionError(submission_id, expected.value, target.value)
    values: dict[str, Any] = {
        "status": target.value,
        "version": col(Submission.version) + 1,
        "updated_at": utcnow(),
        **(changes or {}),
    }
    stmt = (
        update(Submission)
        .where(col(Submission.id) == submission_id)
        .where(col(Submission.status) == expected.value)
        .where(col(Submission.version) == expected_version)
        .values(**values)
        .returning(Submission)  # the winner's row in the same round trip
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    try:
        submission: Submission | None = (await session.exec(stmt)).scalars().first()
    except OperationalError as exc:
        # SQLite in WAL mode refuses to upgrade a stale read snapshot to a writer
        # ("database is locked"): somebody else wrote first, which is a lost race too.
        if "locked" not in str(exc).lower():
            raise
        await session.rollback()
        raise await _stale(session, submission_id) from exc
    if submission is None:
        raise await _stale(session, submission_id)
    add_audit(
        session=session,
        actor=actor,
        action=action or target.value,
        submission_id=submission_id,
        from_status=expected.value,
        to_status=target.value,
        reason=reason,
        details=details,
    )
    log.info(
        event_line(
            f"submission.{action or target.value}", code=submission.code,
            unit=submission.unit_id, channel=submission.channel, outcome=target.value,
            by=actor_id(actor),
        )
    )  # fmt: skip
    return submission


async def transition_many(
    *,
    session: AsyncSession,
    submissions: Sequence[Submission],
    new_status: SubmissionStatus,
    actor: str,
    reason: str | None = None,
) -> list[Submission]:
    """transition() for several submissions in the same status and version (a batch of
    new mail): one UPDATE guarded by both, and an audit row each, in the caller's
    transaction. If any of them changed meanwhile, nothing is moved: StaleTransitionError."""
    if not submissions:
        return []
    expected_status = SubmissionStatus(submissions[0].status)
    expected_version = submissions[0].version
    ids = [submission.id for submission in submissions]
    if any(s.status != expected_status or s.version != expected_version for s in submissions):
        raise ValueError("transition_many() moves submissions in one status and version")
    target = SubmissionStatus(new_status)
    if not can_transition(expected_status, target):
        raise IllegalTransitionError(ids[0] or 0, expected_status.value, target.value)
    stmt = (
        update(Submission)
        .where(col(Submission.id).in_(ids))
        .where(col(Submission.status) == expected_status.value)
        .where(col(Submission.version) == expected_version)
        .values(status=target.value, version=col(Submission.version) + 1, updated_at=utcnow())
        .returning(Submission)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    moved = {s.id: s for s in (await session.exec(stmt)).scalars().all()}
    if len(moved) != len(ids):
        await session.rollback()
        raise await _stale(session, next(i for i in ids if i not in moved) or 0)
    now = utcnow()
    audits: list[dict[str, Any]] = [
        {
            "submission_id": submission_id, "at": now, "actor": actor, "action": target.value,
            "from_status": expected_status.value, "to_status": target.value, "reason": reason,
            "details": {},
        }
        for submission_id in ids
    ]  # fmt: skip
    await insert_all(session, [Rows(AuditEvent, audits)])
    for submission_id in ids:
        submission = moved[submission_id]
        log.info(
            event_line(
                f"submission.{target.value}", code=submission.code, unit=submission.unit_id,
                channel=submission.channel, outcome=target.value, by=actor_id(actor),
            )
        )  # fmt: skip
    return [moved[submission_id] for submission_id in ids]


async def _stale(session: AsyncSession, submission_id: int) -> StaleTransitionError:
    current = await get_submission(session=session, submission_id=submission_id)
    if current is None:
        return StaleTransitionError(submission_id, current_status="missing", current_version=0)
    return StaleTransitionError(
        submission_id,
        current_status=current.status,
        current_version=current.version,
        decided_by=current.decided_by,
    )


async def next_codes(*, session: AsyncSession, period: str, count: int) -> list[str]:
    """`count` consecutive public codes for a month in one statement: the month's counter
    is created at `count` or moved on by `count` (an upsert, atomic on both databases)."""
    if count <= 0:
        return []
    params = {"period": period, "count": count}
    result = await session.exec(_code_upsert(session), params=params)
    last = int(result.scalar_one())
    return [f"{period}-{number:04d}" for number in range(last - count + 1, last + 1)]


_CODE_UPSERTS: dict[str, Any] = {}


def _code_upsert(session: AsyncSession) -> Any:
    """The counter's upsert for this session's database, built once (values bound later)."""
    dialect = session.get_bind().dialect.name
    if dialect not in _CODE_UPSERTS:
        count = bindparam("count", type_=Integer)
        _CODE_UPSERTS[dialect] = (
            dialect_insert(session)(CodeCounter)
            .values(period=bindparam("period"), last=count)
            .on_conflict_do_update(
                index_elements=[col(CodeCounter.period)],
                set_={"last": col(CodeCounter.last) + count},
            )
            .returning(col(CodeCounter.last))
        )
    return _CODE_UPSERTS[dialect]
