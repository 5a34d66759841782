"""Unit succession: units end at a date and hand over to their successors, history kept.

A unit's rows (domain.registry_rows.SuccessionRow) say its last day and every successor; the
first successor is the one its records go to (`Unit.successor_code`), all are kept in
`unit_successor`. Where the operator says so, the unit's active officers and known addresses
move to one successor at the changeover (00:00 local time the day after the last day): an
officer's row is ended and a copy starts at the successor, so reports before the change still
name them at the old unit. Submissions the old unit received after the changeover (an
installation that kept running on the old map) follow its officers, each with an audit row.
Officers who do not move end at the changeover. Everything happens in one transaction, and
applying the same rows again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.periods import TZ
from domain.registry_rows import CsvRowError, SuccessionRow
from storage.audit import add_audit
from storage.db import Database
from storage.models import Officer, Submission, Unit, UnitAddress, UnitSuccessor, utcnow


@dataclass
class Handover:
    """What one ending unit's succession changes (all zero / False when already applied)."""

    code: str
    name: str
    last_day: date
    successors: list[str]
    dated: bool = False  # valid_to or the records' successor changed
    links: int = 0  # successor links added
    starts_moved: list[tuple[str, date]] = field(default_factory=list)
    officers_moved: int = 0
    officers_ended: int = 0
    addresses_moved: int = 0
    submissions_moved: int = 0
    officers_to: str | None = None
    addresses_to: str | None = None

    @property
    def changed(self) -> bool:
        return bool(
            self.dated
            or self.links
            or self.starts_moved
            or self.officers_moved
            or self.officers_ended
            or self.addresses_moved
            or self.submissions_moved
        )


def changeover(last_day: date) -> datetime:
    """00:00 local time on the day after `last_day`, in UTC."""
    start = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
    return start.astimezone(UTC)


def _grouped(rows: Sequence[SuccessionRow]) -> dict[str, list[SuccessionRow]]:
    grouped: dict[str, list[SuccessionRow]] = {}
    for row in rows:
        grouped.setdefault(row.code, []).append(row)
    return grouped


async def _units(session: AsyncSession, codes: set[str]) -> dict[str, Unit]:
    result = await session.exec(select(Unit).where(col(Unit.code).in_(sorted(codes))))
    return {u.code: u for u in result.all()}


def _check(rows: Sequence[SuccessionRow], units: dict[str, Unit]) -> list[str]:
    problems = []
    for row in rows:
        if row.code not in units:
            problems.append(f"dòng {row.line}: không có đơn vị mã {row.code!r}")
        successor = units.get(row.successor)
        if successor is None:
            problems.append(f"dòng {row.line}: không có đơn vị kế thừa mã {row.successor!r}")
        elif successor.valid_to is not None and successor.valid_to <= row.valid_to:
            problems.append(
                f"dòng {row.line}: đơn vị kế thừa {row.successor} đã ngừng hoạt động sau "
                f"{successor.valid_to:%d/%m/%Y}, trước khi nhận"
            )
    return problems


async def _move_officers(
    session: AsyncSession, unit: Unit, target: Unit | None, at: datetime, handover: Handover
) -> None:
    """End the unit's officers at `at`; with a target, each continues there from `at`."""
    query = select(Officer).where(col(Officer.unit_id) == unit.id)
    query = query.where(or_(col(Officer.active_to).is_(None), col(Officer.active_to) > at))
    for officer in (await session.exec(query.order_by(col(Officer.id)))).all():
        starts = officer.active_from
        starts = starts.replace(tzinfo=UTC) if starts.tzinfo is None else starts
        if target is not None and target.id is not None:
            if starts >= at:  # registered at the old unit after the change: moves whole
                officer.unit_id = target.id
            else:
                officer.active_to = at
                session.add(
                    Officer(
                        unit_id=target.id,
                        full_name=officer.full_name,
                        name_key=officer.name_key,
                        position=officer.position,
                        phone=officer.phone,
                        email=officer.email,
                        telegram_user_id=officer.telegram_user_id,
                        consent_at=officer.consent_at,
                        active_from=at,
                    )
                )
            handover.officers_moved += 1
        else:
            end = max(at, starts)
            ended = officer.active_to
            if (
                ended is not None
                and (ended.replace(tzinfo=UTC) if ended.tzinfo is None else ended) <= end
            ):
                continue  # registered after the change and already ended: nothing to do
            officer.active_to = end
            handover.officers_ended += 1
        session.add(officer)


async def _move_submissions(
    session: AsyncSession, unit: Unit, target: Unit, at: datetime, handover: Handover
) -> None:
    """Submissions the old unit received from the changeover on now belong to `target`."""
    query = select(col(Submission.id)).where(col(Submission.unit_id) == unit.id)
    ids = list((await session.exec(query.where(col(Submission.received_at) >= at))).all())
    if not ids:
        return
    await session.exec(
        update(Submission).where(col(Submission.id).in_(ids)).values(unit_id=target.id)
    )
    for submission_id in ids:
        add_audit(
            session=session,
            actor="units succession",
            action="unit_succession",
            submission_id=submission_id,
            reason=f"{unit.code} ngừng hoạt động sau {handover.last_day:%d/%m/%Y}",
            details={"from_unit": unit.code, "to_unit": target.code},
        )
    handover.submissions_moved = len(ids)


async def _hand_over(
    session: AsyncSession, unit: Unit, rows: list[SuccessionRow], units: dict[str, Unit]
) -> Handover:
    last_day = rows[0].valid_to
    at = changeover(last_day)
    successors = [units[r.successor] for r in rows]
    handover = Handover(unit.code, unit.name, last_day, [s.code for s in successors])
    if unit.valid_to != last_day or unit.successor_code != successors[0].code:
        unit.valid_to, unit.successor_code = last_day, successors[0].code
        unit.updated_at = utcnow()
        session.add(unit)
        handover.dated = True
    linked = await session.exec(
        select(col(UnitSuccessor.successor_id)).where(col(UnitSuccessor.unit_id) == unit.id)
    )
    known = set(linked.all())
    first_day = last_day + timedelta(days=1)
    for successor in successors:
        assert unit.id is not None and successor.id is not None  # loaded from the database
        if successor.id not in known:
            session.add(UnitSuccessor(unit_id=unit.id, successor_id=successor.id))
            handover.links += 1
        if successor.valid_from is not None and successor.valid_from > first_day:
            successor.valid_from = first_day  # it takes over the day after the old one ends
            session.add(successor)
            handover.starts_moved.append((successor.code, first_day))
    officers_to = next((units[r.successor] for r in rows if r.officers), None)
    addresses_to = next((units[r.successor] for r in rows if r.addresses), None)
    handover.officers_to = officers_to.code if officers_to else None
    handover.addresses_to = addresses_to.code if addresses_to else None
    await _move_officers(session, unit, officers_to, at, handover)
    if officers_to is not None:
        await _move_submissions(session, unit, officers_to, at, handover)
    if addresses_to is not None:
        moved = await session.exec(
            update(UnitAddress)
            .where(col(UnitAddress.unit_id) == unit.id)
            .values(unit_id=addresses_to.id)
        )
        handover.addresses_moved = moved.rowcount or 0
    await session.flush()
    return handover


async def apply_succession(
    db: Database, rows: Sequence[SuccessionRow], *, write: bool
) -> list[Handover]:
    """Hand each unit over as its rows say (in file order); commit only when `write`.

    Without `write` everything is worked out in a transaction that is rolled back, so the
    preview tells exactly what writing would change. Raises CsvRowError naming bad lines.
    """
    grouped = _grouped(rows)
    async with db.session() as session:
        units = await _units(session, {r.code for r in rows} | {r.successor for r in rows})
        problems = _check(rows, units)
        if problems:
            raise CsvRowError(problems)
        handovers = [
            await _hand_over(session, units[code], unit_rows, units)
            for code, unit_rows in grouped.items()
        ]
        problems = _check(rows, units)  # again: the file may also end a successor too early
        if problems:
            await session.rollback()
            raise CsvRowError(problems)
        if write:
            await session.commit()
        else:
            await session.rollback()
    return handovers
