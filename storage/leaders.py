"""The leaders registry: who reads the console and receives the monthly report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.text import clean
from storage.models import Leader


async def create_leader(
    *,
    session: AsyncSession,
    full_name: str,
    position: str = "",
    email: str | None = None,
    telegram_user_id: int | None = None,
    now: datetime,
) -> Leader:
    """A new leader, active from ``now``."""
    name = clean(full_name)
    if not name:
        raise ValueError("Cần họ và tên lãnh đạo.")
    address = clean(email or "").lower() or None
    if address is not None and "@" not in address:
        raise ValueError(f"Địa chỉ email không hợp lệ: {address}")
    leader = Leader(
        full_name=name,
        position=clean(position),
        email=address,
        telegram_user_id=telegram_user_id,
        active_from=now,
    )
    session.add(leader)
    await session.flush()
    return leader


def _active(at: datetime) -> object:
    return (col(Leader.active_from) <= at) & or_(
        col(Leader.active_to).is_(None), col(Leader.active_to) > at
    )


async def list_leaders(
    *, session: AsyncSession, active_at: datetime | None = None
) -> list[Leader]:
    """Every leader (or those active at ``active_at``), by id."""
    query = select(Leader).order_by(col(Leader.id))
    if active_at is not None:
        query = query.where(_active(active_at))  # type: ignore[arg-type]
    return list((await session.exec(query)).all())


async def get_active_leader(
    *, session: AsyncSession, leader_id: int, at: datetime
) -> Leader | None:
    query = select(Leader).where(col(Leader.id) == leader_id).where(_active(at))  # type: ignore[arg-type]
    return (await session.exec(query)).first()


async def leader_by_telegram(
    *, session: AsyncSession, telegram_user_id: int, at: datetime
) -> Leader | None:
    query = (
        select(Leader).where(col(Leader.telegram_user_id) == telegram_user_id).where(_active(at))  # type: ignore[arg-type]
    )
    return (await session.exec(query)).first()


async def end_leader(*, session: AsyncSession, leader_id: int, at: datetime) -> Leader | None:
    """Leader no longer in office from ``at`` (kept for audit); None if unknown or ended."""
    leader = await get_active_leader(session=session, leader_id=leader_id, at=at)
    if leader is None:
        return None
    leader.active_to = at
    session.add(leader)
    await session.flush()
    return leader


async def leader_emails(*, session: AsyncSession, at: datetime) -> list[str]:
    """Addresses of the leaders in office at ``at``."""
    return [x.email for x in await list_leaders(session=session, active_at=at) if x.email]
