"""Job locks: one instance at a time runs a scheduled job, through a lease (storage/leases.py).

A job (reminder sweep, monthly report, officer reach, digest) holds the lease `job:<name>` for
its run; an instance that finds it held skips that run (the next one, or `remind run`, catches
up). The lease runs out `JOB_LEASE` after its holder stops renewing it, so a holder that dies or
freezes mid-job never keeps the others out for longer than that, and a restarted instance lets
its previous run's job leases go at once (`release_own`). The unique keys on every side effect
(reminders, `job_run`, outbox keys) stop a duplicate even when a frozen holder wakes up and
commits after another instance ran the job.

Lease time is wall-clock UTC, whatever clock the job's schedule is computed with: it is about
live processes, not about the day the job works for.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from storage.db import Database
from storage.leases import holder_name, holding, release_instance
from storage.models import utcnow

PREFIX = "job:"
JOB_LEASE = timedelta(seconds=60)
# This process's holder when the caller names none (tests, one-off calls); `serve` and the CLI
# pass one built from NEWSDESK_INSTANCE_NAME so a restart can release its previous run's leases.
_DEFAULT_HOLDER = holder_name(socket.gethostname())


def lease_name(job: str) -> str:
    return f"{PREFIX}{job}"


@asynccontextmanager
async def job_lock(db: Database, job: str, *, holder: str = "") -> AsyncIterator[bool]:
    """Hold the job's lease for the block: True, or False when another process holds it."""
    async with holding(
        db, lease_name(job), holder=holder or _DEFAULT_HOLDER, ttl=JOB_LEASE, now=utcnow
    ) as held:
        yield held is not None


async def release_own(db: Database, instance: str) -> int:
    """At start: the job leases this instance's previous (dead) run still holds are let go,
    so the start-up runs are not skipped while they run out."""
    async with db.session() as session:
        released = await release_instance(session=session, instance=instance, prefix=PREFIX)
        await session.commit()
    return released
