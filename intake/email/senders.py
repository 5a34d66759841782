"""Sender to unit: a registered officer's address, else a unit's address or domain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.text import clean
from storage.models import Officer, Unit, UnitAddress
from storage.registry import is_active

# Built once, values bound at execution: building `col.in_(values)` anew coerces every value
# into a bound parameter each time (a fifth of an e-mail batch transaction's Python work).
_OFFICERS = select(Officer).where(col(Officer.email).in_(bindparam("emails", expanding=True)))
_UNITS = (
    select(UnitAddress.value, Unit)
    .join(Unit, col(Unit.id) == col(UnitAddress.unit_id))
    .where(col(UnitAddress.value).in_(bindparam("values", expanding=True)))
)


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
    key = clean(address).lower() if address else ""
    found = await resolve_senders(session=session, addresses=[key], at=at)
    return found.get(key, SenderUnit(unit_id=None, officer_id=None))


async def resolve_senders(
    *, session: AsyncSession, addresses: Iterable[str | None], at: datetime
) -> dict[str, SenderUnit]:
    """resolve_sender() for many addresses in two queries (a batch of mail after downtime)."""
    wanted = {clean(a).lower() for a in addresses if a and "@" in clean(a)}
    found: dict[str, SenderUnit] = {}
    if not wanted:
        return found
    officers = await session.exec(_OFFICERS, params={"emails": sorted(wanted)})
    for officer in sorted(officers.all(), key=lambda o: o.id or 0):
        if officer.email and officer.email not in found and is_active(officer, at):
            found[officer.email] = SenderUnit(
                unit_id=officer.unit_id, officer_id=officer.id, officer_name=officer.full_name
            )
    rest = wanted - set(found)
    domains = {"@" + a.rpartition("@")[2] for a in rest}
    rows = await session.exec(_UNITS, params={"values": sorted(rest | domains)})
    units = dict(rows.all())
    for address in rest:
        unit = units.get(address) or units.get("@" + address.rpartition("@")[2])
        if unit is not None and (unit.valid_to is None or unit.valid_to >= at.date()):
            found[address] = SenderUnit(unit_id=unit.id, officer_id=None)
    return found
