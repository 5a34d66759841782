"""Bulk writes for the scheduler: reminders recorded and enqueued in a fixed number of statements.

A reminder is first recorded under (unit, period, step, channel, recipient); only the rows that
insert (not the ones already there) get an outbox message, under a key made of the same five
parts, so neither a rerun, a restart nor a second instance can send one twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InviteCode, JobRun, OutboxMessage, Reminder

# Big pages keep the number of statements flat; SQLAlchemy still splits below each database's
# bound-parameter limit.
_PAGE = {"insertmanyvalues_page_size": 5000}


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
        return f"reminder:{self.period}:{self.step}:{self.unit_id}:{self.channel}:{self.recipient}"


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def record_reminders(
    *, session: AsyncSession, messages: Sequence[Message], now: datetime
) -> list[Message]:
    """Record each reminder once and enqueue the new ones; return the new ones (caller commits)."""
    unique = list({m.identity: m for m in messages}.values())
    if not unique:
        return []
    insert = _insert(session)
    rows = [
        {"unit_id": m.unit_id, "period": m.period, "step": m.step, "channel": m.channel,
         "recipient": m.recipient, "created_at": now}
        for m in unique
    ]  # fmt: skip
    stmt = (
        insert(Reminder)
        .on_conflict_do_nothing()
        .returning(Reminder.id, Reminder.unit_id, Reminder.period, Reminder.step,  # type: ignore[arg-type]
                   Reminder.channel, Reminder.recipient)
    )  # fmt: skip
    inserted = (await session.execute(stmt, rows, execution_options=_PAGE)).all()
    reminder_ids = {tuple(r[1:]): r[0] for r in inserted}
    new = [m for m in unique if m.identity in reminder_ids]
    if not new:
        return []
    outbox_ids = await _enqueue(session, new, now)
    links = [{"rid": reminder_ids[m.identity], "oid": outbox_ids[m.key]} for m in new]
    await session.execute(
        update(Reminder).where(Reminder.id == bindparam("rid")).values(outbox_id=bindparam("oid")),  # type: ignore[arg-type]
        links,
        execution_options={"synchronize_session": False},
    )
    return new


async def _enqueue(session: AsyncSession, messages: Sequence[Message], now: datetime) -> dict[str, int]:
    """Outbox rows for `messages` (due now, by the injected clock); key -> outbox id."""
    rows = [
        {"key": m.key, "channel": m.channel, "recipient": m.recipient, "subject": m.subject,
         "body": m.body, "attachments": [], "meta": {"kind": "reminder", "step": m.step},
         "status": "pending", "attempts": 0, "next_attempt_at": now, "result": {},
         "created_at": now}
        for m in messages
    ]  # fmt: skip
    stmt = (
        _insert(session)(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboxMessage.id, OutboxMessage.key)  # type: ignore[arg-type]
    )
    inserted = {key: oid for oid, key in (await session.execute(stmt, rows, execution_options=_PAGE)).all()}
    missing = [m.key for m in messages if m.key not in inserted]
    if missing:  # only if a reminder row was deleted by hand while its message stayed
        found = select(OutboxMessage.id, OutboxMessage.key).where(OutboxMessage.key.in_(missing))  # type: ignore[attr-defined]
        inserted.update({key: oid for oid, key in (await session.execute(found)).all()})
    return inserted


async def claim_job_run(*, session: AsyncSession, key: str, now: datetime) -> int | None:
    """Insert a JobRun under `key`; its id, or None when that run already happened."""
    stmt = (
        _insert(session)(JobRun)
        .values(key=key, started_at=now, outcome="running")
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(JobRun.id)  # type: ignore[arg-type]
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def finish_job_run(*, session: AsyncSession, run_id: int, now: datetime, outcome: str) -> None:
    await session.execute(
        update(JobRun).where(JobRun.id == run_id).values(finished_at=now, outcome=outcome[:64])  # type: ignore[arg-type]
    )


async def ensure_invites(
    *, session: AsyncSession, unit_ids: Sequence[int], now: datetime, expires_at: datetime
) -> dict[int, str]:
    """An unused, unexpired invite code per unit, reusing existing ones (two statements)."""
    if not unit_ids:
        return {}
    query = (
        select(InviteCode.unit_id, InviteCode.code)  # type: ignore[call-overload]
        .where(InviteCode.unit_id.in_(list(unit_ids)))  # type: ignore[attr-defined]
        .where(InviteCode.used_at.is_(None))  # type: ignore[union-attr]
        .where(InviteCode.expires_at > now)
        .order_by(InviteCode.id)
    )
    codes: dict[int, str] = {}
    for unit_id, code in (await session.execute(query)).all():
        codes.setdefault(unit_id, code)
    fresh = [
        {"code": secrets.token_urlsafe(9), "unit_id": u, "created_at": now, "expires_at": expires_at}
        for u in unit_ids
        if u not in codes
    ]
    if fresh:
        await session.execute(_insert(session)(InviteCode), fresh, execution_options=_PAGE)
        codes.update({row["unit_id"]: row["code"] for row in fresh})
    return codes
