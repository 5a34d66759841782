"""Compliance per unit and month, computed with a fixed number of queries (not one per unit).

A unit complies for a month when it has at least one qualifying submission received in that
month (`col(Submission.period)`, set from the first version's arrival, so a new version after a
change request keeps the original time). What qualifies is a setting (`schedule.counts_as`):
"sent" (default: any item not rejected or withdrawn, even one still waiting for review or for
changes), "approved" or "published". On time means the first qualifying one arrived by the
deadline. Only units counted for compliance and valid in that month are listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.deadlines import DeadlineRule
from domain.kinds import UnitKind
from domain.periods import month_bounds, parse_period
from domain.states import NOT_QUALIFYING, SubmissionStatus
from domain.text import vi_sort_key
from reports import texts
from reports.figures import MonthReport, Officer, Standing, UnitMonth, YearReport, YearRow
from storage.installation import recorded_go_live
from storage.models import Officer as OfficerRow
from storage.models import Submission, Unit, UnitSuccessor

S = SubmissionStatus
_KIND_RANK = {kind.value: rank for rank, kind in enumerate(UnitKind)}
APPROVED = frozenset({S.APPROVED, S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, S.PUBLISH_FAILED})


@dataclass(frozen=True)
class Rules:
    """What the figures depend on (from settings)."""

    deadline: DeadlineRule = field(default_factory=DeadlineRule)
    not_qualifying: frozenset[str] = frozenset(NOT_QUALIFYING)
    registration_deadline: datetime | None = None
    go_live: datetime | None = None  # the setting; None = the moment recorded at first start
    counts_as: str = "sent"  # what makes a unit compliant: sent, approved or published


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    kind: str
    valid_from: date | None
    valid_to: date | None
    successor_code: str | None = None

    def valid_in(self, period: str) -> bool:
        first, last = period_days(period)
        return (self.valid_from is None or self.valid_from <= last) and (
            self.valid_to is None or self.valid_to >= first
        )


@dataclass(frozen=True)
class Counts:
    submitted: int = 0
    approved: int = 0
    published: int = 0
    first_qualifying: datetime | None = None


async def fetch_rows(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> Sequence[Any]:
    """Rows of a column query, run on the session's connection (inside its transaction)."""
    connection = await session.connection()
    return (await connection.execute(query)).all()


def period_days(period: str) -> tuple[date, date]:
    """First and last local day of a month."""
    year, month = parse_period(period)
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def _utc(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


async def counted_units(*, session: AsyncSession, first: date, last: date) -> list[UnitInfo]:
    """Units counted for compliance that existed at some point in [first, last] (1 query)."""
    query = (
        select(
            col(Unit.id),
            col(Unit.code),
            col(Unit.name),
            col(Unit.kind),
            col(Unit.valid_from),
            col(Unit.valid_to),
            col(Unit.successor_code),
        )
        .where(col(Unit.counted).is_(True))
        .where(or_(col(Unit.valid_from).is_(None), col(Unit.valid_from) <= last))
        .where(or_(col(Unit.valid_to).is_(None), col(Unit.valid_to) >= first))
        .order_by(col(Unit.id))
    )
    rows = await fetch_rows(session, query)
    units = [
        UnitInfo(r.id, r.code, r.name, str(r.kind), r.valid_from, r.valid_to, r.successor_code)
        for r in rows
    ]
    # Report order: by kind (departments, districts, ...), then Vietnamese alphabetical order.
    return sorted(units, key=lambda u: (_KIND_RANK.get(u.kind, 99), vi_sort_key(u.name), u.id))


async def unit_counts(
    *, session: AsyncSession, periods: Iterable[str], rules: Rules
) -> dict[tuple[int, str], Counts]:
    """Per (unit id, period): submitted, approved, published, first qualifying (1 query)."""
    status = col(Submission.status)
    if rules.counts_as == "published":
        qualifies = status == S.PUBLISHED
    elif rules.counts_as == "approved":
        qualifies = status.in_([str(s) for s in APPROVED])
    else:
        qualifies = status.not_in([str(s) for s in rules.not_qualifying])
    query = (
        select(
            col(Submission.unit_id),
            col(Submission.period),
            func.count(),
            func.sum(case((status.in_([str(s) for s in APPROVED]), 1), else_=0), type_=Integer),
            func.sum(case((status == S.PUBLISHED, 1), else_=0), type_=Integer),
            func.min(case((qualifies, col(Submission.received_at)), else_=None)),
        )
        .where(col(Submission.period).in_(list(periods)))
        .where(col(Submission.unit_id).is_not(None))
        .group_by(col(Submission.unit_id), col(Submission.period))
    )
    rows = await fetch_rows(session, query)
    return {
        (unit_id, period): Counts(int(n), int(a or 0), int(p or 0), _utc(first))
        for unit_id, period, n, a, p, first in rows
    }


async def officers_by_unit(
    *, session: AsyncSession, start: datetime, end: datetime, internal: bool
) -> dict[int, tuple[Officer, ...]]:
    """Officers active at some time in [start, end), grouped by unit (1 query)."""
    query = (
        select(
            col(OfficerRow.unit_id),
            col(OfficerRow.full_name),
            col(OfficerRow.position),
            col(OfficerRow.phone),
        )
        .where(col(OfficerRow.active_from) < end)
        .where(or_(col(OfficerRow.active_to).is_(None), col(OfficerRow.active_to) > start))
        .order_by(col(OfficerRow.unit_id), col(OfficerRow.id))
    )
    grouped: dict[int, list[Officer]] = defaultdict(list)
    for unit_id, name, position, phone in await fetch_rows(session, query):
        grouped[unit_id].append(Officer(name, position or "", phone if internal else None))
    return {k: tuple(v) for k, v in grouped.items()}


async def go_live(*, session: AsyncSession, rules: Rules) -> datetime | None:
    """Since when months are tracked: the setting, else the first start (None: never started)."""
    if rules.go_live is not None:
        return rules.go_live
    return _utc(await recorded_go_live(session=session))


def is_tracked(deadline: datetime, live_since: datetime | None) -> bool:
    """A month is tracked when Newsdesk was live before its deadline (units could be reminded)."""
    return live_since is None or live_since < deadline


def standing(counts: Counts | None, deadline: datetime) -> Standing:
    """On time, late or missing from a unit's month figures."""
    if counts is None or counts.first_qualifying is None:
        return Standing.MISSING
    return Standing.ON_TIME if counts.first_qualifying <= deadline else Standing.LATE


async def month_report(
    *, session: AsyncSession, period: str, rules: Rules, now: datetime, internal: bool = False
) -> MonthReport:
    """The month's report in five queries whatever the number of units."""
    first, last = period_days(period)
    start, end = month_bounds(period)
    deadline = rules.deadline.for_period(period)
    tracked = is_tracked(deadline, await go_live(session=session, rules=rules))
    units = await counted_units(session=session, first=first, last=last)
    counts = await unit_counts(session=session, periods=[period], rules=rules)
    officers = await officers_by_unit(session=session, start=start, end=end, internal=internal)
    rows = []
    for unit in units:
        c = counts.get((unit.id, period))
        rows.append(
            UnitMonth(
                unit_code=unit.code,
                unit_name=unit.name,
                submitted=c.submitted if c else 0,
                approved=c.approved if c else 0,
                published=c.published if c else 0,
                standing=standing(c, deadline) if tracked else Standing.NOT_TRACKED,
                first_received_at=c.first_qualifying if c else None,
                officers=officers.get(unit.id, ()),
                unit_kind=unit.kind,
            )
        )
    unregistered: tuple[str, ...] = ()
    if rules.registration_deadline is not None and now > rules.registration_deadline:
        current = await officers_by_unit(session=session, start=now, end=now, internal=False)
        unregistered = tuple(u.name for u in units if u.id not in current)
    return MonthReport(
        period, deadline, now, tuple(rows), internal, unregistered, tracked, rules.counts_as
    )


async def year_report(
    *, session: AsyncSession, year: int, rules: Rules, now: datetime
) -> YearReport:
    """A unit x month grid in three queries; months whose deadline is ahead show only successes,
    months before the go-live are not tracked.

    A unit that ended or started during the year carries a note naming its successors or
    predecessors, so a year that spans a reorganisation shows both maps side by side.
    """
    periods = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    units = await counted_units(session=session, first=date(year, 1, 1), last=date(year, 12, 31))
    counts = await unit_counts(session=session, periods=periods, rules=rules)
    notes = await unit_notes(session=session, units=units, year=year)
    deadlines = {p: rules.deadline.for_period(p) for p in periods}
    live_since = await go_live(session=session, rules=rules)
    rows = []
    for unit in units:
        months: list[Standing | None] = []
        for period in periods:
            if not is_tracked(deadlines[period], live_since):
                months.append(Standing.NOT_TRACKED if unit.valid_in(period) else None)
                continue
            mark = standing(counts.get((unit.id, period)), deadlines[period])
            open_month = now <= deadlines[period] and mark is Standing.MISSING
            months.append(None if open_month or not unit.valid_in(period) else mark)
        rows.append(
            YearRow(unit.code, unit.name, tuple(months), unit.kind, notes.get(unit.id, ""))
        )
    return YearReport(year=year, generated_at=now, rows=tuple(rows))


async def unit_notes(
    *, session: AsyncSession, units: Sequence[UnitInfo], year: int
) -> dict[int, str]:
    """Notes for units that ended or started within `year`, naming successors (1 query)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    ended = {u.id for u in units if u.valid_to is not None and u.valid_to < last}
    started = {u.id for u in units if u.valid_from is not None and u.valid_from > first}
    if not ended and not started:
        return {}
    successor = aliased(Unit)
    predecessor = aliased(Unit)
    query = (
        select(
            col(UnitSuccessor.unit_id),
            col(UnitSuccessor.successor_id),
            col(successor.name),
            col(predecessor.name),
        )
        .join(successor, col(successor.id) == col(UnitSuccessor.successor_id))
        .join(predecessor, col(predecessor.id) == col(UnitSuccessor.unit_id))
        .where(
            or_(
                col(UnitSuccessor.unit_id).in_(sorted(ended)),
                col(UnitSuccessor.successor_id).in_(sorted(started)),
            )
        )
        .order_by(col(UnitSuccessor.id))
    )
    successors: dict[int, list[str]] = defaultdict(list)
    predecessors: dict[int, list[str]] = defaultdict(list)
    for old_id, new_id, new_name, old_name in await fetch_rows(session, query):
        successors[old_id].append(new_name)
        predecessors[new_id].append(old_name)
    names = {u.code: u.name for u in units}
    notes = {}
    for unit in units:
        if unit.id in ended and unit.valid_to is not None:
            named = successors.get(unit.id, [])
            if not named and unit.successor_code:  # closed before successor links existed
                named = [names.get(unit.successor_code, unit.successor_code)]
            notes[unit.id] = texts.ended_note(unit.valid_to, named)
        elif unit.id in started and unit.valid_from is not None:
            notes[unit.id] = texts.started_note(unit.valid_from, predecessors.get(unit.id, []))
    return notes
