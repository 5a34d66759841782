"""The compliance board: units x months of a year, built from the report's own queries.

Two queries whatever the number of units (the units, then the counts per unit and month),
the same ones the monthly and yearly reports use, so the board and the XLSX never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from markupsafe import Markup
from sqlalchemy import Integer, case, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.kinds import UNIT_GROUP_LABELS, UnitGroup, unit_group
from domain.states import SubmissionStatus as S
from reports.compliance import Rules, counted_units, fetch_rows
from storage.models import Submission


class Cell(StrEnum):
    """A unit's month as the board colours it."""

    PUBLISHED = "published"
    SUBMITTED = "submitted"  # sent in, not yet published
    OPEN = "open"  # nothing yet, the deadline is still ahead
    MISSING = "missing"
    NOT_COUNTED = "not_counted"  # the unit did not exist that month


CELL_LABELS = {
    Cell.PUBLISHED: "Đã đăng",
    Cell.SUBMITTED: "Đã gửi, chờ xử lý",
    Cell.OPEN: "Chưa đến hạn",
    Cell.MISSING: "Chưa gửi",
    Cell.NOT_COUNTED: "Không tính",
}


# Short CSS classes: the board for thousands of units stays small enough for a phone.
CSS = {
    Cell.PUBLISHED: "p",
    Cell.SUBMITTED: "s",
    Cell.OPEN: "o",
    Cell.MISSING: "m",
    Cell.NOT_COUNTED: "n",
}


@dataclass(frozen=True)
class BoardCell:
    state: Cell
    count: int
    css: str  # CSS[state], a plain string: cheap to render


@dataclass(frozen=True)
class BoardRow:
    unit_id: int
    code: str
    name: str
    cells: tuple[BoardCell, ...]


@dataclass(frozen=True)
class BoardGroup:
    kind: str
    label: str
    rows: tuple[BoardRow, ...]


@dataclass(frozen=True)
class Board:
    year: int
    periods: tuple[str, ...]
    deadlines: tuple[datetime, ...]
    groups: tuple[BoardGroup, ...]
    totals: tuple[int, ...]  # units that sent something, per month
    counted: tuple[int, ...]  # units counted, per month


# Shared: most cells of a big board are empty.
EMPTY = {state: BoardCell(state, 0, CSS[state]) for state in Cell}


@dataclass(frozen=True)
class MonthCounts:
    """A unit's month: every submission, those that count, those published."""

    submitted: int
    qualifying: int
    published: int


def cell_of(
    counts: MonthCounts | None, *, valid: bool, deadline: datetime, now: datetime
) -> BoardCell:
    """How one unit did in one month (pure)."""
    if not valid:
        return EMPTY[Cell.NOT_COUNTED]
    if counts is None:
        return EMPTY[Cell.OPEN if now <= deadline else Cell.MISSING]
    if counts.published:
        return BoardCell(Cell.PUBLISHED, counts.submitted, "p")
    if counts.qualifying:
        return BoardCell(Cell.SUBMITTED, counts.submitted, "s")
    state = Cell.OPEN if now <= deadline else Cell.MISSING
    return BoardCell(state, counts.submitted, CSS[state])


async def month_counts(
    *, session: AsyncSession, periods: tuple[str, ...], not_qualifying: frozenset[str]
) -> dict[tuple[int, str], MonthCounts]:
    """Per (unit, month) counts in one query (integers only: cheap for 5,000 units x 12)."""
    status = col(Submission.status)
    query = (
        select(
            col(Submission.unit_id),
            col(Submission.period),
            func.count(),
            func.sum(case((status.not_in(sorted(not_qualifying)), 1), else_=0), type_=Integer),
            func.sum(case((status == S.PUBLISHED.value, 1), else_=0), type_=Integer),
        )
        .where(col(Submission.period).in_(list(periods)))
        .where(col(Submission.unit_id).is_not(None))
        .group_by(col(Submission.unit_id), col(Submission.period))
    )
    return {
        (unit_id, period): MonthCounts(int(n), int(q or 0), int(p or 0))
        for unit_id, period, n, q, p in await fetch_rows(session, query)
    }


async def build_board(*, session: AsyncSession, year: int, rules: Rules, now: datetime) -> Board:
    """The board for ``year`` in two queries."""
    periods = tuple(f"{year:04d}-{m:02d}" for m in range(1, 13))
    deadlines = tuple(rules.deadline.for_period(p) for p in periods)
    units = await counted_units(session=session, first=date(year, 1, 1), last=date(year, 12, 31))
    counts = await month_counts(
        session=session, periods=periods, not_qualifying=frozenset(rules.not_qualifying)
    )
    groups: dict[UnitGroup, list[BoardRow]] = {}
    totals = [0] * 12
    counted = [0] * 12
    for unit in units:
        cells = []
        always = unit.valid_from is None and unit.valid_to is None
        for i, period in enumerate(periods):
            cell = cell_of(
                counts.get((unit.id, period)),
                valid=always or unit.valid_in(period),
                deadline=deadlines[i],
                now=now,
            )
            if cell.state is not Cell.NOT_COUNTED:
                counted[i] += 1
            if cell.state in (Cell.PUBLISHED, Cell.SUBMITTED):
                totals[i] += 1
            cells.append(cell)
        groups.setdefault(unit_group(unit.kind), []).append(
            BoardRow(unit.id, unit.code, unit.name, tuple(cells))
        )
    return Board(
        year=year,
        periods=periods,
        deadlines=deadlines,
        groups=tuple(
            BoardGroup(group.value, UNIT_GROUP_LABELS[group], tuple(rows))
            for group, rows in groups.items()
        ),
        totals=tuple(totals),
        counted=tuple(counted),
    )


_EMPTY_HTML = {css: f"<td class={css}></td>" for css in CSS.values()}


def board_cells(cells: tuple[BoardCell, ...]) -> Markup:
    """A row's cells as HTML (only fixed class names and integers: nothing to escape)."""
    return Markup(
        "".join(
            f"<td class={c.css}>{c.count}</td>" if c.count else _EMPTY_HTML[c.css] for c in cells
        )
    )
