"""Sender to unit: a registered officer's address, else a unit's address or domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.text import clean
from storage.registry import find_unit_by_address, get_officer_by_email


@dataclass(frozen=True)
class SenderUnit:
    """Who sent it, as far as the registry knows (both None: unknown sender)."""

    unit_id: int | None
    officer_id: int | None
    officer_name: str | None = None


async def resolve_sender(
    *, session: AsyncSession, address: str | None, at: datetime
) -> SenderUnit:
    """Case-insensitive, NFC lookup: officer first (exact), then unit address, then domain."""
    address = clean(address).lower() if address else ""
    if "@" not in address:
        return SenderUnit(unit_id=None, officer_id=None)
    officer = await get_officer_by_email(session=session, email=address, active_at=at)
    if officer is not None:
        return SenderUnit(
            unit_id=officer.unit_id, officer_id=officer.id, officer_name=officer.full_name
        )
    unit = await find_unit_by_address(session=session, address=address)
    if unit is not None and (unit.valid_to is None or unit.valid_to >= at.date()):
        return SenderUnit(unit_id=unit.id, officer_id=None)
    return SenderUnit(unit_id=None, officer_id=None)
