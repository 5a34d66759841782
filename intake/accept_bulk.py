"""accept_many(): accept() for a batch, with a constant number of statements.

Bulk e-mail intake (a mailbox read after downtime, an import) would otherwise spend most of
its time on per-message round trips. The rows written are the same as accept()'s; a test
checks that (tests/integration/intake/test_accept_bulk.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.periods import period_of
from domain.states import SubmissionStatus
from intake.accept import Accepted, Incoming, attachment_values, put_raw, submission_values
from storage.files import FileStore
from storage.models import Attachment, AuditEvent, Submission, SubmissionRevision, utcnow
from storage.rows import Rows, full_row, insert_all, insert_returning, table_of
from storage.submissions import next_codes

# Built once, values bound at execution (see intake/email/senders.py).
_REVISIONS_BY_KEY = select(SubmissionRevision).where(
    col(SubmissionRevision.source_key).in_(bindparam("keys", expanding=True))
)
_SUBMISSIONS_BY_CODE = select(Submission).where(
    col(Submission.code).in_(bindparam("codes", expanding=True))
)


async def accept_many(
    incoming: Sequence[Incoming],
    /,
    *,
    session: AsyncSession,
    files: FileStore,
    actor: str = "system",
) -> list[Accepted]:
    """accept() for a batch with a constant number of statements (bulk mail intake).

    The same rows as accept() for each item in order: one submission per new source_key
    (later items with that key get created=False), codes in order, the "received" audit row
    and the RECEIVED -> PENDING_REVIEW/QUARANTINED step with its audit row. Caller commits.
    """
    keys = list(dict.fromkeys(item.source_key for item in incoming))
    result = await session.exec(_REVISIONS_BY_KEY, params={"keys": keys})
    earlier = {r.source_key: r for r in result.all()}
    fresh: dict[str, Incoming] = {}
    for item in incoming:
        if item.source_key not in earlier and item.source_key not in fresh:
            fresh[item.source_key] = item
    created = await _create_many(session, files, list(fresh.values()), actor)
    await session.flush()
    created_again: dict[str, Accepted] = {}
    ids = {r.submission_id for r in earlier.values()}
    old: dict[int | None, Submission] = {}
    if ids:  # mail seen before (a rebuilt mailbox): rare, so no statement otherwise
        found = await session.exec(select(Submission).where(col(Submission.id).in_(ids)))
        old = {s.id: s for s in found.all()}
    results: list[Accepted] = []
    for item in incoming:
        if item.source_key in created:
            first = created.pop(item.source_key)
            results.append(first)
            earlier_made = Accepted(submission=first.submission, created=False, revision=1)
            created_again[item.source_key] = earlier_made
        elif item.source_key in created_again:  # a repeat of a key created in this batch
            results.append(created_again[item.source_key])
        else:
            revision = earlier[item.source_key]
            submission = old[revision.submission_id]
            results.append(
                Accepted(submission=submission, created=False, revision=revision.revision)
            )
    return results


async def _create_many(
    session: AsyncSession, files: FileStore, items: list[Incoming], actor: str
) -> dict[str, Accepted]:
    if not items:
        return {}
    periods = [period_of(item.received_at) for item in items]
    codes: dict[str, list[str]] = {}
    for period in dict.fromkeys(periods):
        codes[period] = await next_codes(
            session=session, period=period, count=periods.count(period)
        )
    now = utcnow()
    rows = []
    for item, period in zip(items, periods, strict=True):
        target = (
            SubmissionStatus.PENDING_REVIEW
            if item.unit_id is not None
            else SubmissionStatus.QUARANTINED
        )
        values = submission_values(
            item,
            code=codes[period].pop(0),
            period=period,
            status=target,
            version=2,  # as after accept()'s RECEIVED -> target transition
        )
        rows.append(full_row(Submission, values | {"updated_at": now}))
    stored = await _insert_submissions(session, rows)
    return await _children(session, files, items, stored, actor)


async def _insert_submissions(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> list[Submission]:
    """Plain rows on the Core table, then the stored rows as Submission objects (loading
    skips the model's constructor, which is what costs). PostgreSQL: one statement that
    inserts them and returns them (storage/rows.py: insert_returning()). SQLite: one
    executemany, then the rows are loaded back by their (unique) codes.

    Not SQLAlchemy's INSERT ... RETURNING of the rows: it sends one INSERT of all the rows
    (50 rows of 27 columns: a 42 KB statement with 1,350 parameters), which psycopg cannot
    cache and rewrote for the server each time (~11 ms of a PostgreSQL batch's ~39 ms of
    CPU); the rows of insert_returning() are one JSON parameter."""
    codes = [row["code"] for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        stored = await insert_returning(session, Submission, rows)
    else:
        await session.exec(insert(table_of(Submission)), params=rows)
        loaded = await session.exec(_SUBMISSIONS_BY_CODE, params={"codes": codes})
        stored = list(loaded.all())
    by_code = {s.code: s for s in stored}
    return [by_code[code] for code in codes]


async def _children(
    session: AsyncSession,
    files: FileStore,
    items: list[Incoming],
    submissions: list[Submission],
    actor: str,
) -> dict[str, Accepted]:
    """Revision, audit and attachment rows of freshly inserted submissions.

    None needs an id back, so they go in as plain rows (the ORM would send one INSERT per
    object): one statement for the three tables on PostgreSQL (insert_all()).
    """
    created: dict[str, Accepted] = {}
    revisions: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]] = []
    now = utcnow()
    for item, submission in zip(items, submissions, strict=True):
        assert submission.id is not None
        revisions.append(
            {
                "submission_id": submission.id,
                "revision": 1,
                "source_key": item.source_key,
                "title": submission.title,
                "text": submission.text,
                "raw_sha256": put_raw(item, files),
                "received_at": item.received_at,
            }
        )
        audits += _audit_rows(item, submission, actor, now)
        for position, file in enumerate(item.files):
            values = attachment_values(
                file, files=files, submission_id=submission.id, revision=1, position=position
            )
            attachments.append(values | {"created_at": now})  # insert_all() completes it
        created[item.source_key] = Accepted(
            submission=submission, created=True, revision=1, inserted_files=len(item.files)
        )
    await insert_all(
        session,
        [
            Rows(SubmissionRevision, revisions),
            Rows(AuditEvent, audits),
            Rows(Attachment, attachments),
        ],
    )
    return created


def _audit_rows(
    item: Incoming, submission: Submission, actor: str, now: datetime
) -> list[dict[str, Any]]:
    """The two rows accept() writes: "received", then the step to the target status."""
    quarantined = submission.status == SubmissionStatus.QUARANTINED
    base = {"submission_id": submission.id, "at": now, "actor": actor}
    return [
        base
        | {
            "action": "received",
            "from_status": None,
            "to_status": SubmissionStatus.RECEIVED.value,
            "reason": None,
            "details": {"channel": item.channel.value, "sender": submission.sender},
        },
        base
        | {
            "action": str(submission.status),
            "from_status": SubmissionStatus.RECEIVED.value,
            "to_status": str(submission.status),
            "reason": "người gửi chưa đăng ký" if quarantined else None,
            "details": {},
        },
    ]
