"""The compliance board: units x months of a year, one page of units at a time.

Four queries whatever the number of units: every counted unit in the report's order (ids,
names, kinds and validity only: cheap even for thousands), the counts per month of the page's
units, the totals row of all units by SQL aggregation, and the page's reach figures (the
reports' own query). Only one page of rows is rendered, so the page stays small on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from markupsafe import Markup
from sqlalchemy import Date, Integer, String, case, func, literal, or_, select, union_all
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.kinds import UNIT_GROUP_LABELS, UnitGroup, unit_group
from domain.states import SubmissionStatus as S
from reports.compliance import Rules, counted_units, fetch_rows, period_days
from reports.figures import UnitReach
from reports.reach import units_reach
from storage.models import Submission, Unit

PAGE_UNITS = 100  # rows per page of the board


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
    reach: UnitReach | None = None  # the month's articles on the OA and their readings


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
    totals: tuple[int, ...]  # units that sent something, per month (all pages)
    counted: tuple[int, ...]  # units counted, per month (all pages)
    page: int = 1
    pages: int = 1
    units: int = 0  # counted units of the year, on all pages


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
    *,
    session: AsyncSession,
    periods: tuple[str, ...],
    not_qualifying: frozenset[str],
    unit_ids: list[int],
) -> dict[tuple[int, str], MonthCounts]:
    """Per (unit, month) counts of the given units in one query."""
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
        .where(col(Submission.unit_id).in_(unit_ids))
        .group_by(col(Submission.unit_id), col(Submission.period))
    )
    return {
        (unit_id, period): MonthCounts(int(n), int(q or 0), int(p or 0))
        for unit_id, period, n, q, p in await fetch_rows(session, query)
    }


async def sent_totals(
    *, session: AsyncSession, periods: tuple[str, ...], not_qualifying: frozenset[str]
) -> dict[str, int]:
    """Per month: the counted units, valid that month, that sent something that counts or
    was published (the board's "sent" cells), counted by SQL over all units (one query)."""
    months = union_all(
        *(
            select(
                literal(p, String).label("period"),
                literal(first, Date).label("first"),
                literal(last, Date).label("last"),
            )
            for p in periods
            for first, last in [period_days(p)]
        )
    ).subquery("months")
    status = col(Submission.status)
    query = (
        select(months.c.period, func.count(func.distinct(col(Submission.unit_id))))
        .select_from(months)
        .join(Submission, col(Submission.period) == months.c.period)
        .join(Unit, col(Unit.id) == col(Submission.unit_id))
        .where(col(Unit.counted).is_(True))
        .where(or_(col(Unit.valid_from).is_(None), col(Unit.valid_from) <= months.c.last))
        .where(or_(col(Unit.valid_to).is_(None), col(Unit.valid_to) >= months.c.first))
        .where(or_(status.not_in(sorted(not_qualifying)), status == S.PUBLISHED.value))
        .group_by(months.c.period)
    )
    return {period: int(n) for period, n in await fetch_rows(session, query)}


async def build_board(
    *,
    session: AsyncSession,
    year: int,
    rules: Rules,
    now: datetime,
    page: int = 1,
    per_page: int = PAGE_UNITS,
) -> Board:
    """One page of the board for ``year`` in four queries (pages beyond the last show it)."""
    periods = tuple(f"{year:04d}-{m:02d}" for m in range(1, 13))
    deadlines = tuple(rules.deadline.for_period(p) for p in periods)
    units = await counted_units(session=session, first=date(year, 1, 1), last=date(year, 12, 31))
    not_qualifying = frozenset(rules.not_qualifying)
    bounded = [u for u in units if u.valid_from is not None or u.valid_to is not None]
    counted = [len(units) - sum(not u.valid_in(p) for u in bounded) for p in periods]
    pages = max(1, -(-len(units) // per_page))
    page = min(max(1, page), pages)
    shown = units[(page - 1) * per_page : page * per_page]
    ids = [u.id for u in shown]
    counts = await month_counts(
        session=session, periods=periods, not_qualifying=not_qualifying, unit_ids=ids
    )
    sent = await sent_totals(session=session, periods=periods, not_qualifying=not_qualifying)
    reach = await units_reach(session=session, periods=list(periods), now=now, unit_ids=ids)
    groups: dict[UnitGroup, list[BoardRow]] = {}
    for unit in shown:
        cells = []
        always = unit.valid_from is None and unit.valid_to is None
        for i, period in enumerate(periods):
            cell = cell_of(
                counts.get((unit.id, period)),
                valid=always or unit.valid_in(period),
                deadline=deadlines[i],
                now=now,
            )
            found = reach.get((unit.code, period))
            if found is not None:
                cell = BoardCell(cell.state, cell.count, cell.css, found)
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
        totals=tuple(sent.get(p, 0) for p in periods),
        counted=tuple(counted),
        page=page,
        pages=pages,
        units=len(units),
    )


def reach_title(reach: UnitReach) -> str:
    """A cell's reach figures, as the report words them."""
    text = f"{reach.articles} bài trên Trang Zalo OA"
    if reach.views is not None:
        text += f" · {reach.views} lượt xem · {reach.shares or 0} lượt chia sẻ"
    return text


_EMPTY_HTML = {css: f"<td class={css}></td>" for css in CSS.values()}


def _cell_html(cell: BoardCell) -> str:
    if cell.reach is not None:
        return f'<td class={cell.css} title="{reach_title(cell.reach)}">{cell.count or ""}</td>'
    return f"<td class={cell.css}>{cell.count}</td>" if cell.count else _EMPTY_HTML[cell.css]


def board_cells(cells: tuple[BoardCell, ...]) -> Markup:
    """A row's cells as HTML (only fixed class names, fixed words and integers: nothing to
    escape)."""
    return Markup("".join(_cell_html(c) for c in cells))
