"""The installation's go-live moment: recorded once, at the first start of `serve`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import Installation


async def recorded_go_live(*, session: AsyncSession) -> datetime | None:
    """When `serve` first started here, or None if it never has."""
    row = await session.get(Installation, 1)
    return row.go_live_at if row is not None else None


async def record_go_live(db: Database, *, now: datetime) -> datetime:
    """Record `now` as the go-live moment unless one is recorded; the recorded moment."""
    async with db.session() as session:
        found = await recorded_go_live(session=session)
        if found is not None:
            return found
        session.add(Installation(id=1, go_live_at=now))
        try:
            await session.commit()
        except IntegrityError:  # another process started at the same moment and won
            await session.rollback()
        else:
            return now
    async with db.session() as session:
        found = await recorded_go_live(session=session)
    assert found is not None
    return found
