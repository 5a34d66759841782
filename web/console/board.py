"""The compliance board: units x months of a year, built from the report's own queries.

Two queries whatever the number of units (the units, then the counts per unit and month),
the same ones the monthly and yearly reports use, so the board and the XLSX never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.kinds import UNIT_KIND_LABELS, UnitKind
from reports.compliance import Counts, Rules, counted_units, unit_counts


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
    css: str = ""  # filled from CSS (a plain string: cheap to render)

    def __post_init__(self) -> None:
        object.__setattr__(self, "css", CSS[self.state])


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


EMPTY = {state: BoardCell(state, 0) for state in Cell}  # shared: most cells of a big board


def cell_of(counts: Counts | None, *, valid: bool, deadline: datetime, now: datetime) -> BoardCell:
    """How one unit did in one month (pure)."""
    if not valid:
        return EMPTY[Cell.NOT_COUNTED]
    if counts is None:
        return EMPTY[Cell.OPEN if now <= deadline else Cell.MISSING]
    submitted = counts.submitted if counts else 0
    if counts is not None and counts.published:
        return BoardCell(Cell.PUBLISHED, submitted)
    if counts is not None and counts.first_qualifying is not None:
        return BoardCell(Cell.SUBMITTED, submitted)
    return BoardCell(Cell.OPEN if now <= deadline else Cell.MISSING, submitted)


async def build_board(*, session: AsyncSession, year: int, rules: Rules, now: datetime) -> Board:
    """The board for ``year`` in two queries."""
    periods = tuple(f"{year:04d}-{m:02d}" for m in range(1, 13))
    deadlines = tuple(rules.deadline.for_period(p) for p in periods)
    units = await counted_units(session=session, first=date(year, 1, 1), last=date(year, 12, 31))
    counts = await unit_counts(
        session=session, periods=periods, not_qualifying=rules.not_qualifying
    )
    groups: dict[str, list[BoardRow]] = {}
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
        groups.setdefault(unit.kind, []).append(
            BoardRow(unit.id, unit.code, unit.name, tuple(cells))
        )
    return Board(
        year=year,
        periods=periods,
        deadlines=deadlines,
        groups=tuple(
            BoardGroup(kind, _kind_label(kind), tuple(rows)) for kind, rows in groups.items()
        ),
        totals=tuple(totals),
        counted=tuple(counted),
    )


def _kind_label(kind: str) -> str:
    try:
        return UNIT_KIND_LABELS[UnitKind(kind)]
    except ValueError:
        return kind
