"""Bulk writes for the scheduler: reminders recorded and enqueued in a few bulk statements.

A reminder is first recorded under (unit, period, step, channel, recipient); only the rows that
insert (not the ones already there) get an outbox message, under a key made of the same five
parts, so neither a rerun, a restart nor a second instance can send one twice.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.states import OutboxStatus
from storage.models import InviteCode, JobRun, OutboxMessage, Reminder
from storage.rows import dialect_insert, table_of

# Big pages keep the number of statements flat; SQLAlchemy still splits below each database's
# bound-parameter limit.
_PAGE = {"insertmanyvalues_page_size": 5000}
KEY_MAX = 255  # OutboxMessage.key


@dataclass(frozen=True)
class Message:
    """One reminder to one recipient on one channel."""

    unit_id: int
    period: str
    step: str
    channel: str  # "email" or "telegram"
    recipient: str
    subject: str
    body: str

    @property
    def identity(self) -> tuple[int, str, str, str, str]:
        return (self.unit_id, self.period, self.step, self.channel, self.recipient)

    @property
    def key(self) -> str:
        """The outbox key: the same five parts (a very long address is hashed to fit 255)."""
        base = f"reminder:{self.period}:{self.step}:{self.unit_id}:{self.channel}:"
        if len(base) + len(self.recipient) <= KEY_MAX:
            return base + self.recipient
        return base + "sha256:" + hashlib.sha256(self.recipient.encode()).hexdigest()


async def record_reminders(
    *, session: AsyncSession, messages: Sequence[Message], now: datetime
) -> list[Message]:
    """Record each reminder once and enqueue the new ones; return the new ones (caller commits)."""
    unique = list({m.identity: m for m in messages}.values())
    if not unique:
        return []
    insert = dialect_insert(session)
    rows = [
        {"unit_id": m.unit_id, "period": m.period, "step": m.step, "channel": m.channel,
         "recipient": m.recipient, "created_at": now}
        for m in unique
    ]  # fmt: skip
    t = table_of(Reminder)
    stmt = (
        insert(t)
        .on_conflict_do_nothing()
        .returning(t.c.id, t.c.unit_id, t.c.period, t.c.step, t.c.channel, t.c.recipient)
    )
    inserted = (await session.exec(stmt, params=rows, execution_options=_PAGE)).all()
    reminder_ids = {tuple(r[1:]): r[0] for r in inserted}
    new = [m for m in unique if m.identity in reminder_ids]
    if not new:
        return []
    outbox_ids = await _enqueue(session, new, now)
    links = [{"rid": reminder_ids[m.identity], "oid": outbox_ids[m.key]} for m in new]
    link = update(t).where(t.c.id == bindparam("rid")).values(outbox_id=bindparam("oid"))
    await session.exec(link, params=links)
    return new


async def _enqueue(
    session: AsyncSession, messages: Sequence[Message], now: datetime
) -> dict[str, int]:
    """Outbox rows for `messages` (due now, by the injected clock); key -> outbox id."""
    rows = [
        {"key": m.key, "channel": m.channel, "recipient": m.recipient, "subject": m.subject,
         "body": m.body, "attachments": [], "meta": {"kind": "reminder", "step": m.step},
         "status": OutboxStatus.PENDING.value, "attempts": 0, "next_attempt_at": now, "result": {},
         "created_at": now}
        for m in messages
    ]  # fmt: skip
    t = table_of(OutboxMessage)
    stmt = (
        dialect_insert(session)(t)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(t.c.id, t.c.key)
    )
    inserted = {
        key: oid
        for oid, key in (await session.exec(stmt, params=rows, execution_options=_PAGE)).all()
    }
    missing = [m.key for m in messages if m.key not in inserted]
    if missing:  # only if a reminder row was deleted by hand while its message stayed
        found = select(col(OutboxMessage.id), col(OutboxMessage.key)).where(
            col(OutboxMessage.key).in_(missing)
        )
        inserted.update({key: oid for oid, key in (await session.exec(found)).all()})
    return inserted


async def claim_job_run(*, session: AsyncSession, key: str, now: datetime) -> int | None:
    """Insert a JobRun under `key`; its id, or None when that run already happened."""
    stmt = (
        dialect_insert(session)(JobRun)
        .values(key=key, started_at=now, outcome="running")
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(JobRun.id))
    )
    job_id: int | None = (await session.exec(stmt)).scalar_one_or_none()
    return job_id


async def finish_job_run(
    *, session: AsyncSession, run_id: int, now: datetime, outcome: str
) -> None:
    await session.exec(
        update(JobRun)
        .where(col(JobRun.id) == run_id)
        .values(finished_at=now, outcome=outcome[:64])
    )


async def ensure_invites(
    *, session: AsyncSession, unit_ids: Sequence[int], now: datetime, expires_at: datetime
) -> dict[int, str]:
    """An unused, unexpired invite code per unit, reusing existing ones (two statements)."""
    if not unit_ids:
        return {}
    query = (
        select(col(InviteCode.unit_id), col(InviteCode.code))
        .where(col(InviteCode.unit_id).in_(list(unit_ids)))
        .where(col(InviteCode.used_at).is_(None))
        .where(col(InviteCode.expires_at) > now)
        .order_by(col(InviteCode.id))
    )
    codes: dict[int, str] = {}
    for unit_id, code in (await session.exec(query)).all():
        codes.setdefault(unit_id, code)
    fresh = {u: secrets.token_urlsafe(9) for u in unit_ids if u not in codes}
    if fresh:
        rows = [
            {"code": code, "unit_id": u, "created_at": now, "expires_at": expires_at}
            for u, code in fresh.items()
        ]
        stmt = dialect_insert(session)(table_of(InviteCode))
        await session.exec(stmt, params=rows, execution_options=_PAGE)
        codes.update(fresh)
    return codes
