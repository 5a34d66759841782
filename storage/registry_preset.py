"""Reading the registry for a preset plan, and writing a plan (one transaction, all or none)."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.presets import ExistingUnit, PresetPlan
from domain.text import clean, match_key
from storage.db import Database
from storage.models import Unit, utcnow


async def existing_units(*, session: AsyncSession) -> list[ExistingUnit]:
    """Every unit of the registry, as the preset plan sees it (one query)."""
    rows = await session.exec(select(Unit).order_by(col(Unit.id)))
    return [
        ExistingUnit(u.code, u.name, str(u.kind), u.valid_from, u.valid_to) for u in rows.all()
    ]


async def apply_preset(db: Database, plan: PresetPlan) -> None:
    """Add, update and end units as planned; nothing is written when the plan has no changes."""
    if not plan.has_changes:
        return
    now = utcnow()
    async with db.session() as session:
        units = {u.code: u for u in (await session.exec(select(Unit))).all()}
        for new in plan.added:
            session.add(
                Unit(
                    code=new.code,
                    name=clean(new.name),
                    name_key=match_key(new.name),
                    kind=new.kind,
                    counted=True,
                    valid_from=plan.on,
                    created_at=now,
                    updated_at=now,
                )
            )
        for _old, new in plan.changed:
            unit = units[new.code]
            unit.name, unit.name_key, unit.kind = clean(new.name), match_key(new.name), new.kind
            if unit.valid_to is not None and unit.valid_to < plan.on:
                unit.valid_to, unit.successor_code = None, None  # opens again
            unit.updated_at = now
            session.add(unit)
        for old in plan.ended:
            unit = units[old.code]
            unit.valid_to = plan.last_day
            unit.updated_at = now
            session.add(unit)
        await session.commit()
