"""Units, officers and editors: keyword-only repository functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.kinds import UnitKind
from domain.text import ascii_fold, clean, match_key, vi_sort_key
from storage.models import Editor, Officer, Unit, UnitAddress, utcnow

# --- units ----------------------------------------------------------------------------------


async def get_unit_by_code(*, session: AsyncSession, code: str) -> Unit | None:
    result = await session.exec(select(Unit).where(Unit.code == code.strip().lower()))
    return result.first()


async def list_units(
    *, session: AsyncSession, active_on: date | None = None, counted_only: bool = False
) -> list[Unit]:
    """Units in Vietnamese alphabetical order, optionally only those existing on a day."""
    query = select(Unit)
    if active_on is not None:
        started = col(Unit.valid_from)
        query = query.where(or_(started.is_(None), started <= active_on))
        query = query.where(or_(col(Unit.valid_to).is_(None), col(Unit.valid_to) >= active_on))
    if counted_only:
        query = query.where(col(Unit.counted).is_(True))
    units = list((await session.exec(query)).all())
    return sorted(units, key=lambda u: vi_sort_key(u.name))


def _loose(value: str) -> str:
    """Lower case, no diacritics, words only: "UBND huyện Tiền Hải" -> "ubnd huyen tien hai"."""
    return " ".join("".join(c if c.isalnum() else " " for c in ascii_fold(value).lower()).split())


async def find_units(*, session: AsyncSession, text: str, today: date) -> list[Unit]:
    """Units an editor means by `text`: its code, else its name without regard to case or
    diacritics ("Tiền Hải", "tien hai"), whole words; several when ambiguous (those still in
    existence on `today` preferred), in Vietnamese alphabetical order."""
    wanted = clean(text)
    if not wanted:
        return []
    unit = await get_unit_by_code(session=session, code=wanted)
    if unit is not None:
        return [unit]
    key = _loose(wanted)
    if not key:
        return []
    units = await list_units(session=session)
    same = [u for u in units if _loose(u.name) == key or _loose(u.code) == key]
    found = same or [u for u in units if f" {key} " in f" {_loose(u.name)} "]
    current = [u for u in found if u.valid_to is None or u.valid_to >= today]
    return current or found


async def count_units(*, session: AsyncSession) -> int:
    from sqlalchemy import func

    result = await session.exec(select(func.count()).select_from(Unit))
    return int(result.one())


async def upsert_unit(
    *,
    session: AsyncSession,
    code: str,
    name: str,
    kind: UnitKind,
    counted: bool = True,
    valid_from: date | None = None,
    valid_to: date | None = None,
    successor_code: str | None = None,
    addresses: Sequence[str] | None = None,
) -> tuple[Unit, bool]:
    """Create or update a unit by code; returns (unit, created); addresses replaced if given."""
    code = code.strip().lower()
    unit = await get_unit_by_code(session=session, code=code)
    created = unit is None
    if unit is None:
        unit = Unit(code=code, name=clean(name), kind=kind)
    unit.name = clean(name)
    unit.name_key = match_key(name)
    unit.kind = kind
    unit.counted = counted
    unit.valid_from = valid_from
    unit.valid_to = valid_to
    unit.successor_code = successor_code.strip().lower() if successor_code else None
    unit.updated_at = utcnow()
    session.add(unit)
    await session.flush()
    if addresses is not None:
        await set_unit_addresses(session=session, unit_id=_id(unit), addresses=addresses)
    return unit, created


async def set_unit_addresses(
    *, session: AsyncSession, unit_id: int, addresses: Sequence[str]
) -> None:
    """Replace a unit's known addresses ("x@y.vn") and domains ("@y.vn")."""
    existing = await session.exec(select(UnitAddress).where(UnitAddress.unit_id == unit_id))
    for row in existing.all():
        await session.delete(row)
    await session.flush()
    for value in dict.fromkeys(clean(a).lower() for a in addresses if clean(a)):
        session.add(UnitAddress(unit_id=unit_id, value=value))
    await session.flush()


async def list_unit_addresses(*, session: AsyncSession, unit_id: int) -> list[str]:
    result = await session.exec(
        select(UnitAddress.value).where(UnitAddress.unit_id == unit_id).order_by(UnitAddress.value)
    )
    return list(result.all())


async def addresses_by_unit(*, session: AsyncSession) -> dict[int, list[str]]:
    """Every unit's known addresses, sorted, in one query (for lists of many units)."""
    result = await session.exec(
        select(UnitAddress.unit_id, UnitAddress.value).order_by(col(UnitAddress.value))
    )
    found: dict[int, list[str]] = {}
    for unit_id, value in result.all():
        found.setdefault(unit_id, []).append(value)
    return found


# --- officers -------------------------------------------------------------------------------


def _id(obj: Unit | Officer | Editor) -> int:
    if obj.id is None:
        raise ValueError("object has no id yet; flush first")
    return obj.id


def is_active(officer: Officer, at: datetime) -> bool:
    return officer.active_from <= at and (officer.active_to is None or officer.active_to > at)


async def create_officer(
    *,
    session: AsyncSession,
    unit_id: int,
    full_name: str,
    position: str = "",
    phone: str | None = None,
    email: str | None = None,
    telegram_user_id: int | None = None,
    consent_at: datetime | None = None,
    active_from: datetime | None = None,
) -> Officer:
    """Register an officer (phone already normalised to E.164 by the caller)."""
    officer = Officer(
        unit_id=unit_id,
        full_name=clean(full_name),
        name_key=match_key(full_name),
        position=clean(position),
        phone=phone,
        email=clean(email).lower() or None if email else None,
        telegram_user_id=telegram_user_id,
        consent_at=consent_at,
        active_from=active_from or utcnow(),
    )
    session.add(officer)
    await session.flush()
    return officer


async def list_officers(
    *, session: AsyncSession, unit_id: int | None = None, active_at: datetime | None = None
) -> list[Officer]:
    """Officers sorted the Vietnamese way (by given name last, as people read lists)."""
    query = select(Officer)
    if unit_id is not None:
        query = query.where(Officer.unit_id == unit_id)
    officers = list((await session.exec(query)).all())
    if active_at is not None:
        officers = [o for o in officers if is_active(o, active_at)]
    return sorted(officers, key=lambda o: (vi_sort_key(o.full_name), o.id or 0))


async def get_officer(*, session: AsyncSession, officer_id: int) -> Officer | None:
    return await session.get(Officer, officer_id)


async def get_officer_by_telegram(
    *, session: AsyncSession, telegram_user_id: int, active_at: datetime | None = None
) -> Officer | None:
    result = await session.exec(
        select(Officer).where(col(Officer.telegram_user_id) == telegram_user_id)
    )
    at = active_at or utcnow()
    officers = [o for o in result.all() if is_active(o, at)]
    return officers[0] if officers else None


async def find_officers_by_phone(*, session: AsyncSession, phone: str) -> list[Officer]:
    result = await session.exec(select(Officer).where(Officer.phone == phone))
    at = utcnow()
    return [o for o in result.all() if is_active(o, at)]


async def end_officer(*, session: AsyncSession, officer_id: int, at: datetime) -> None:
    officer = await session.get(Officer, officer_id)
    if officer is not None and officer.active_to is None:
        officer.active_to = at
        session.add(officer)


# --- editors --------------------------------------------------------------------------------


async def create_editor(
    *,
    session: AsyncSession,
    full_name: str,
    email: str | None = None,
    telegram_user_id: int | None = None,
) -> Editor:
    editor = Editor(
        full_name=clean(full_name),
        email=clean(email).lower() if email else None,
        telegram_user_id=telegram_user_id,
    )
    session.add(editor)
    await session.flush()
    return editor


async def editor_conflict(
    *, session: AsyncSession, email: str | None, telegram_user_id: int | None
) -> str | None:
    """Why a new editor with this e-mail or Telegram id would be a second record of someone
    already registered (Vietnamese, for the admin), or None."""
    for editor in await list_editors(session=session, active_only=False):
        if telegram_user_id is not None and editor.telegram_user_id == telegram_user_id:
            return f"mã Telegram {telegram_user_id} đã là của biên tập viên {editor.full_name}"
        if email and editor.active and editor.email == clean(email).lower():
            return f"email {editor.email} đã là của biên tập viên {editor.full_name}"
    return None


async def list_editors(*, session: AsyncSession, active_only: bool = True) -> list[Editor]:
    query = select(Editor)
    if active_only:
        query = query.where(col(Editor.active).is_(True))
    editors = list((await session.exec(query)).all())
    return sorted(editors, key=lambda e: vi_sort_key(e.full_name))


async def get_editor_by_telegram(*, session: AsyncSession, telegram_user_id: int) -> Editor | None:
    result = await session.exec(
        select(Editor).where(
            col(Editor.telegram_user_id) == telegram_user_id, col(Editor.active).is_(True)
        )
    )
    return result.first()
