"""CSV imports for the registry: all rows or none (one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.phones import display_phone
from domain.registry_rows import (
    CsvRowError,
    OfficerRow,
    UnitRow,
    parse_officer_csv,
    parse_unit_csv,
)
from domain.text import clean, match_key
from storage.db import Database
from storage.models import Officer, Unit, UnitAddress
from storage.registry import (
    create_officer,
    find_officers_by_phone,
    get_unit_by_code,
    list_officers,
    list_unit_addresses,
    upsert_unit,
)


@dataclass(frozen=True)
class Change:
    """What one CSV row does: create or update (for a preview)."""

    line: int
    action: str  # "create", "update" or "same" (a unit row that changes nothing)
    name: str
    unit_code: str
    fields: tuple[str, ...] = ()  # a unit's columns an update changes (the CSV's names)


def _unit_values(unit: Unit, addresses: list[str]) -> dict[str, object]:
    return {
        "name_vi": unit.name,
        "kind": str(unit.kind),
        "counted": unit.counted,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "successor": unit.successor_code,
        "emails": sorted(addresses),
    }


async def import_units(
    db: Database, text: str, *, dry_run: bool = False, plan: list[Change] | None = None
) -> tuple[int, int]:
    """Upsert units from CSV text; returns (created, updated). Raises CsvRowError.

    ``dry_run`` does everything and rolls back (the console's preview); ``plan`` collects
    what each row does, with the columns an update changes. An address another unit holds
    is a row error, not a database error."""
    rows = parse_unit_csv(text)
    created = updated = 0
    async with db.session() as session:
        problems = await _taken_addresses(session, rows)
        if problems:
            raise CsvRowError(problems)
        for row in rows:
            before = await get_unit_by_code(session=session, code=row.code)
            old = (
                _unit_values(
                    before, await list_unit_addresses(session=session, unit_id=before.id or 0)
                )
                if before is not None
                else {}
            )
            unit, was_created = await save_unit_row(session, row)
            created += was_created
            updated += not was_created
            if plan is not None:
                new = _unit_values(
                    unit, await list_unit_addresses(session=session, unit_id=unit.id or 0)
                )
                fields = tuple(k for k in new if not was_created and old[k] != new[k])
                action = "create" if was_created else "update" if fields else "same"
                plan.append(Change(row.line, action, unit.name, unit.code, fields))
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    return created, updated


async def _taken_addresses(session: AsyncSession, rows: list[UnitRow]) -> list[str]:
    """Each row giving a unit an address that another unit holds, or that an earlier row
    gives (an address belongs to one unit)."""
    wanted = {a for row in rows for a in row.addresses or ()}
    if not wanted:
        return []
    result = await session.exec(
        select(UnitAddress.value, Unit.code)
        .join(Unit, col(Unit.id) == col(UnitAddress.unit_id))
        .where(col(UnitAddress.value).in_(sorted(wanted)))
    )
    owners = dict(result.all())
    problems: list[str] = []
    given: dict[str, int] = {}
    for row in rows:
        where = f"dòng {row.line}: " if row.line else ""
        for address in dict.fromkeys(row.addresses or ()):
            owner = owners.get(address)
            if owner is not None and owner != row.code:
                problems.append(
                    f"{where}địa chỉ {address} đang thuộc đơn vị {owner} (bỏ địa chỉ khỏi "
                    "đơn vị đó trước)"
                )
            elif address in given:
                problems.append(f"{where}địa chỉ {address} đã có ở dòng {given[address]}")
            given.setdefault(address, row.line)
    return problems


async def edit_unit(session: AsyncSession, row: UnitRow) -> Unit:
    """The console's edit of one unit (a row checked by `check_unit`): its successor must be
    another registered unit and its addresses its own (raises CsvRowError). The caller
    commits."""
    problems = await _taken_addresses(session, [row])
    if row.successor_code is not None:
        successor = await get_unit_by_code(session=session, code=row.successor_code)
        if successor is None or successor.code == row.code:
            problems.append(
                f"không có đơn vị kế thừa mã {row.successor_code!r} (khác đơn vị đang sửa)"
            )
    if problems:
        raise CsvRowError(problems)
    unit, _ = await save_unit_row(session, row)
    return unit


def _same(officer: Officer, email: str | None, phone: str | None, name_key: str) -> bool:
    if email and officer.email == email:
        return True
    if phone and officer.phone == phone:
        return True
    return officer.name_key == name_key


async def phone_taken(
    session: AsyncSession, phone: str | None, *, by_other_than: Officer | None
) -> str | None:
    """Why `phone` cannot be given to this officer: another active officer holds it."""
    if not phone:
        return None
    for holder in await find_officers_by_phone(session=session, phone=phone):
        if by_other_than is not None and holder.id == by_other_than.id:
            continue
        unit = await session.get(Unit, holder.unit_id)
        return (
            f"số điện thoại {display_phone(phone)} đã thuộc cán bộ {holder.full_name} "
            f"(#{holder.id}, đơn vị {unit.code if unit else '?'}); nếu người đó đã thôi phụ "
            f"trách, chạy trước: python main.py officers end {holder.id}"
        )
    return None


async def add_officer(
    session: AsyncSession, row: OfficerRow, *, consent_at: datetime | None = None
) -> Officer:
    """`officers add`: a row validated by `check_officer`, its unit found and its phone free
    (raises CsvRowError listing the problems). The caller commits."""
    problems = []
    unit = await get_unit_by_code(session=session, code=row.unit_code)
    if unit is None or unit.id is None:
        problems.append(f"không có đơn vị mã {row.unit_code!r} (xem: python main.py units list)")
    taken = await phone_taken(session, row.phone, by_other_than=None)
    if taken:
        problems.append(taken)
    if problems or unit is None or unit.id is None:
        raise CsvRowError(problems)
    return await create_officer(
        session=session,
        unit_id=unit.id,
        full_name=row.full_name,
        position=row.position,
        phone=row.phone,
        email=row.email,
        telegram_user_id=row.telegram_user_id,
        consent_at=consent_at,
    )


async def import_officers(
    db: Database, text: str, *, dry_run: bool = False, plan: list[Change] | None = None
) -> tuple[int, int]:
    """Add or update officers from CSV; returns (created, updated). Raises CsvRowError.

    ``dry_run`` checks everything and rolls back (the console's preview); ``plan`` collects
    what each row would do."""
    rows = parse_officer_csv(text)
    created = updated = 0
    async with db.session() as session:
        problems = []
        for row in rows:
            unit = await get_unit_by_code(session=session, code=row.unit_code)
            if unit is None or unit.id is None:
                problems.append(f"dòng {row.line}: không có đơn vị mã {row.unit_code!r}")
                continue
            key = match_key(row.full_name)
            existing = [
                o
                for o in await list_officers(session=session, unit_id=unit.id)
                if o.active_to is None and _same(o, row.email, row.phone, key)
            ]
            taken = await phone_taken(
                session, row.phone, by_other_than=existing[0] if existing else None
            )
            if taken:
                problems.append(f"dòng {row.line}: {taken}")
                continue
            if existing:
                officer = existing[0]
                officer.full_name, officer.name_key = clean(row.full_name), key
                officer.position = clean(row.position)
                officer.phone = row.phone or officer.phone
                officer.email = row.email or officer.email
                officer.telegram_user_id = row.telegram_user_id or officer.telegram_user_id
                session.add(officer)
                updated += 1
                if plan is not None:
                    plan.append(Change(row.line, "update", row.full_name, row.unit_code))
            else:
                await create_officer(
                    session=session,
                    unit_id=unit.id,
                    full_name=row.full_name,
                    position=row.position,
                    phone=row.phone,
                    email=row.email,
                    telegram_user_id=row.telegram_user_id,
                )
                created += 1
                if plan is not None:
                    plan.append(Change(row.line, "create", row.full_name, row.unit_code))
        if problems or dry_run:
            await session.rollback()
        if problems:
            raise CsvRowError(problems)
        if not dry_run:
            await session.commit()
    return created, updated


async def save_unit_row(session: AsyncSession, row: UnitRow) -> tuple[Unit, bool]:
    """Create or update the unit a checked row describes; (unit, created)."""
    return await upsert_unit(
        session=session,
        code=row.code,
        name=row.name,
        kind=row.kind,
        counted=row.counted,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        successor_code=row.successor_code,
        addresses=row.addresses,
    )
