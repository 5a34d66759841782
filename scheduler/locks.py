"""Job locks: on PostgreSQL a transaction-scoped advisory lock, so two instances never both run.

SQLite is the one-process embedded default; its single writer plus the unique keys on every
side effect are enough there, so the lock always succeeds.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


def lock_id(name: str) -> int:
    """A stable signed 64-bit id for a job name (PostgreSQL advisory locks take a bigint)."""
    digest = hashlib.sha256(f"newsdesk:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def try_job_lock(*, session: AsyncSession, name: str) -> bool:
    """Take the job's lock for this transaction; False when another instance holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    result = await session.exec(select(func.pg_try_advisory_xact_lock(lock_id(name))))
    return bool(result.one())
