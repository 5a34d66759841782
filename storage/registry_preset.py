"""Reading the registry for a preset plan, and writing a plan (one transaction, all or none)."""

from __future__ import annotations

from sqlalchemy import delete, union
from sqlalchemy import select as columns
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.presets import ExistingUnit, PresetPlan
from domain.text import clean, match_key
from storage.db import Database
from storage.models import (
    InviteCode,
    Officer,
    Reminder,
    Submission,
    Unit,
    UnitAddress,
    UnitSuccessor,
    utcnow,
)


async def _units_with_history(session: AsyncSession) -> set[int]:
    """Ids of units that some row refers to: submissions, officers, reminders, invite codes,
    successions (one query)."""
    parts = [
        columns(col(Submission.unit_id)).where(col(Submission.unit_id).is_not(None)),
        columns(col(Officer.unit_id)),
        columns(col(Reminder.unit_id)),
        columns(col(InviteCode.unit_id)),
        columns(col(UnitSuccessor.unit_id)),
        columns(col(UnitSuccessor.successor_id)),
    ]
    connection = await session.connection()
    rows = await connection.execute(union(*parts))
    return {int(unit_id) for (unit_id,) in rows.all() if unit_id is not None}


async def existing_units(*, session: AsyncSession) -> list[ExistingUnit]:
    """Every unit of the registry as the preset plan sees it, with whether it has a history
    (two queries)."""
    units = list((await session.exec(select(Unit).order_by(col(Unit.id)))).all())
    used = await _units_with_history(session)
    named = {u.successor_code for u in units if u.successor_code}
    return [
        ExistingUnit(
            u.code,
            u.name,
            str(u.kind),
            u.valid_from,
            u.valid_to,
            used=u.id in used or u.code in named or u.successor_code is not None,
        )
        for u in units
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
        gone = [units[old.code].id for old in plan.removed]
        if gone:  # no history refers to them; their known addresses go with them
            await session.exec(delete(UnitAddress).where(col(UnitAddress.unit_id).in_(gone)))
            await session.exec(delete(Unit).where(col(Unit.id).in_(gone)))
        await session.commit()
