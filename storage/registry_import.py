"""CSV imports for the registry: all rows or none (one transaction)."""

from __future__ import annotations

from domain.registry_rows import CsvRowError, parse_officer_csv, parse_unit_csv
from storage.db import Database
from storage.models import Officer
from storage.registry import create_officer, get_unit_by_code, list_officers, upsert_unit


async def import_units(db: Database, text: str) -> tuple[int, int]:
    """Upsert units from CSV text; returns (created, updated). Raises CsvRowError."""
    rows = parse_unit_csv(text)
    created = updated = 0
    async with db.session() as session:
        for row in rows:
            _unit, was_created = await upsert_unit(
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
            created += was_created
            updated += not was_created
        await session.commit()
    return created, updated


def _same(officer: Officer, email: str | None, phone: str | None, name_key: str) -> bool:
    if email and officer.email == email:
        return True
    if phone and officer.phone == phone:
        return True
    return officer.name_key == name_key


async def import_officers(db: Database, text: str) -> tuple[int, int]:
    """Add or update officers from CSV; returns (created, updated). Raises CsvRowError."""
    from domain.text import clean, match_key

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
            if existing:
                officer = existing[0]
                officer.full_name, officer.name_key = clean(row.full_name), key
                officer.position = clean(row.position)
                officer.phone = row.phone or officer.phone
                officer.email = row.email or officer.email
                officer.telegram_user_id = row.telegram_user_id or officer.telegram_user_id
                session.add(officer)
                updated += 1
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
        if problems:
            await session.rollback()
            raise CsvRowError(problems)
        await session.commit()
    return created, updated
