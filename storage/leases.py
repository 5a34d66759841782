"""Leases: a named lock held by one process at a time that expires unless renewed.

Newsdesk has one mechanism per locking need, and this is the one for "only one instance does
this job right now": the mailbox and drop-folder sweeps (`mail:<mailbox>`) and the scheduled
jobs (`job:<name>`, scheduler/locks.py). A lease is a row, so it works the same on SQLite and
PostgreSQL (one INSERT ... ON CONFLICT DO UPDATE ... WHERE per attempt), and it does not depend
on the holder's connection: a holder that is frozen (SIGSTOP, a hung host without a TCP reset)
stops renewing and loses the lease at `expires_at`, and another instance takes over, where a
PostgreSQL advisory lock stays held for as long as the frozen holder's connection lives. A
holder confirms the lease before an action that must not be doubled (moving mail); the unique
keys on every side effect cover a frozen holder that wakes up and commits late.

The other needs have their own mechanism, not this one:
- a queue of rows that several workers drain (outbox messages, publications, Telegram updates):
  a claim on each row, `FOR UPDATE SKIP LOCKED` on PostgreSQL plus a conditional UPDATE (a claim
  deadline, and for publications a version) that only one claimer can win, so workers share the
  queue instead of taking turns on all of it;
- one row that must not be written by two at once (the Zalo token): that row's write lock for
  the short transaction around it;
- this machine's temporary files (storage/files.py): a `flock`, which is about processes on one
  host, not about the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import NewsdeskError
from storage.db import Database, session_name
from storage.models import Lease
from storage.rows import dialect_insert

log = logging.getLogger(__name__)


class LeaseLost(NewsdeskError, RuntimeError):
    """Another process took the lease over (ours ran out while we were frozen or cut off)."""


def holder_name(instance: str) -> str:
    """A holder id for this process: the instance's name plus what tells its runs apart."""
    return f"{instance}:{os.getpid()}:{secrets.token_hex(4)}"[:255]


async def acquire(
    *, session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take (or renew) the lease unless someone else holds an unexpired one; caller commits."""
    insert = dialect_insert(session)
    stmt = insert(Lease).values(name=name, holder=holder, expires_at=now + ttl, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": holder, "expires_at": now + ttl, "updated_at": now},
        where=(col(Lease.holder) == holder) | (col(Lease.expires_at) <= now),
    )
    await session.exec(stmt)
    query = select(Lease.holder).where(col(Lease.name) == name)
    return (await session.exec(query)).one_or_none() == holder


async def renew(
    *, session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Extend a lease we still hold and that has not run out; False when it was lost."""
    stmt = (
        update(Lease)
        .where(col(Lease.name) == name, col(Lease.holder) == holder)
        .where(col(Lease.expires_at) > now)
        .values(expires_at=now + ttl, updated_at=now)
    )
    result = await session.exec(stmt)
    return bool(result.rowcount == 1)


async def release(*, session: AsyncSession, name: str, holder: str) -> None:
    """Let go (only if still ours)."""
    stmt = delete(Lease).where(col(Lease.name) == name, col(Lease.holder) == holder)
    await session.exec(stmt)


async def release_instance(*, session: AsyncSession, instance: str, prefix: str) -> int:
    """At start: leases under `prefix` held in this instance's name belong to its previous run,
    which is dead (this process holds nothing yet); let them go so the restart does not wait
    them out. Needs instance names unique among the processes sharing the database. Caller
    commits."""
    stmt = (
        delete(Lease)
        .where(col(Lease.name).startswith(prefix, autoescape=True))
        .where(col(Lease.holder).startswith(f"{instance}:", autoescape=True))
    )
    result = await session.exec(stmt)
    return int(result.rowcount or 0)


@dataclass
class Held:
    """A lease this process holds; renewed in the background while the work runs."""

    db: Database
    name: str
    holder: str
    ttl: timedelta
    now: Callable[[], datetime]
    lost: bool = False

    async def confirm(self) -> None:
        """Renew now; raise LeaseLost when another process has taken over (before an action
        that must not be doubled, such as moving mail)."""
        if not self.lost:
            async with self.db.session() as session:
                kept = await renew(
                    session=session,
                    name=self.name,
                    holder=self.holder,
                    now=self.now(),
                    ttl=self.ttl,
                )
                await session.commit()
            self.lost = not kept
        if self.lost:
            raise LeaseLost(f"lease {self.name!r} was taken over")

    async def _heartbeat(self) -> None:
        while not self.lost:
            await asyncio.sleep(self.ttl.total_seconds() / 3)
            try:
                await self.confirm()
            except LeaseLost:
                log.warning("lease %s lost: another instance took over", self.name)
            except Exception as exc:  # a database hiccup: try again; the lease may run out
                log.warning("lease %s not renewed (%s)", self.name, type(exc).__name__)


def instance_of(holder: str) -> str:
    """The instance name in a holder id made by `holder_name`."""
    return holder.rsplit(":", 2)[0]


async def fence(*, session: AsyncSession, instance: str) -> int:
    """End the PostgreSQL sessions of `instance` that are inside a transaction; caller commits.

    A holder that lost its lease because it froze may be frozen in the middle of a write: its
    session then keeps the row locks of what it had inserted (the unique keys of the mail its
    successor is about to store). Between two statements PostgreSQL ends such a session by
    itself (`idle_in_transaction_session_timeout`, storage.db), but not in the middle of a
    pipeline (psycopg's executemany), where the server is still reading the statement: there
    the session stays "active" for as long as the frozen process lives. The successor ends
    them when it takes the lease over; their transactions roll back, and a holder that was
    only slow gets an error and tries again. Needs the same database role (pg_terminate_backend).
    """
    stmt = text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name = :name "
        "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
    )
    result = await session.exec(stmt.bindparams(name=session_name(instance)))  # type: ignore[call-overload]
    return int(result.scalar_one())


@asynccontextmanager
async def holding(
    db: Database, name: str, *, holder: str, ttl: timedelta, now: Callable[[], datetime]
) -> AsyncIterator[Held | None]:
    """Hold the lease `name` for the block (None when another process holds it). Taking it
    over from another instance whose lease ran out ends that instance's sessions left inside
    a transaction (PostgreSQL, see `fence`)."""
    async with db.session() as session:
        before = (await session.exec(select(Lease.holder).where(col(Lease.name) == name))).first()
        taken = await acquire(session=session, name=name, holder=holder, now=now(), ttl=ttl)
        await session.commit()
    if taken and before and instance_of(before) != instance_of(holder) and db.is_postgres:
        async with db.session() as session:
            ended = await fence(session=session, instance=instance_of(before))
            await session.commit()
        if ended:
            log.warning(
                "lease %s taken over from %s: ended %d of its database sessions left inside a "
                "transaction",
                name,
                instance_of(before),
                ended,
            )
    if not taken:
        yield None
        return
    held = Held(db, name, holder, ttl, now)
    beat = asyncio.create_task(held._heartbeat())
    try:
        yield held
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        try:
            async with db.session() as session:
                await release(session=session, name=name, holder=holder)
                await session.commit()
        except Exception as exc:  # it runs out by itself
            log.warning("lease %s not released (%s)", name, type(exc).__name__)
