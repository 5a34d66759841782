"""The compliance board: units x months of a year, one page of units at a time.

Six queries whatever the number of units: the units counted per month and in the year, the
page's units in the reports' order (SQL orders and pages by `Unit.order_key`), the counts per
month of the page's units, the totals row over all units (two), and the page's reach figures
(the reports' own query). The database aggregates; Python sees one page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from markupsafe import Markup
from sqlalchemy import Integer, case, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.kinds import UNIT_GROUP_LABELS, UnitGroup, unit_group
from domain.states import SubmissionStatus as S
from reports.compliance import Rules, UnitInfo, fetch_rows, period_days
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


async def counted_units_per_month(
    *, session: AsyncSession, periods: tuple[str, ...]
) -> dict[str, int]:
    """Per month, and for the year under "": the counted units that existed. SQL counts the
    units per validity span (one query; a province has a handful of distinct spans)."""
    query = (
        select(col(Unit.valid_from), col(Unit.valid_to), func.count())
        .where(col(Unit.counted).is_(True))
        .group_by(col(Unit.valid_from), col(Unit.valid_to))
    )
    spans = [(p, *period_days(p)) for p in periods]
    spans.append(("", spans[0][1], spans[-1][2]))
    counted = dict.fromkeys((p for p, _, _ in spans), 0)
    for valid_from, valid_to, n in await fetch_rows(session, query):
        for period, first, last in spans:
            if (valid_from is None or valid_from <= last) and (
                valid_to is None or valid_to >= first
            ):
                counted[period] += int(n)
    return counted


async def page_units(
    *, session: AsyncSession, year: int, offset: int, limit: int
) -> list[UnitInfo]:
    """One page of the counted units that existed in ``year``, in the reports' order."""
    first, last = date(year, 1, 1), date(year, 12, 31)
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
        .order_by(col(Unit.order_key), col(Unit.id))
        .offset(offset)
        .limit(limit)
    )
    return [
        UnitInfo(r[0], r[1], r[2], str(r[3]), r[4], r[5], r[6])
        for r in await fetch_rows(session, query)
    ]


async def sent_totals(
    *, session: AsyncSession, periods: tuple[str, ...], not_qualifying: frozenset[str]
) -> dict[str, int]:
    """Per month: the counted units, existing that month, that sent something that counts or
    was published (the board's "sent" cells), over all units, in two queries: SQL counts the
    units with such a submission per month from the covering index alone; the few units not
    counted or with a validity span are then read with their submissions' months and taken
    off where they do not count (joining every submission to its unit cost 4x as much)."""
    status = col(Submission.status)
    sent = [
        col(Submission.period).in_(list(periods)),
        or_(status.not_in(sorted(not_qualifying)), status == S.PUBLISHED.value),
    ]
    query = (
        select(col(Submission.period), func.count(func.distinct(col(Submission.unit_id))))
        .where(*sent)
        .group_by(col(Submission.period))
    )
    totals = {period: int(n) for period, n in await fetch_rows(session, query)}
    special = select(col(Unit.id)).where(
        or_(
            col(Unit.counted).is_(False),
            col(Unit.valid_from).is_not(None),
            col(Unit.valid_to).is_not(None),
        )
    )
    exceptions = (
        select(
            col(Submission.period),
            col(Submission.unit_id),
            col(Unit.counted),
            col(Unit.valid_from),
            col(Unit.valid_to),
        )
        .join(Unit, col(Unit.id) == col(Submission.unit_id))
        .where(*sent)
        .where(col(Submission.unit_id).in_(special))
        .group_by(
            col(Submission.period),
            col(Submission.unit_id),
            col(Unit.counted),
            col(Unit.valid_from),
            col(Unit.valid_to),
        )
    )
    for period, _unit, counted, valid_from, valid_to in await fetch_rows(session, exceptions):
        first, last = period_days(period)
        existed = (valid_from is None or valid_from <= last) and (
            valid_to is None or valid_to >= first
        )
        if not (counted and existed):
            totals[period] -= 1
    return totals


async def build_board(
    *,
    session: AsyncSession,
    year: int,
    rules: Rules,
    now: datetime,
    page: int = 1,
    per_page: int = PAGE_UNITS,
) -> Board:
    """One page of the board for ``year`` (pages beyond the last show the last)."""
    periods = tuple(f"{year:04d}-{m:02d}" for m in range(1, 13))
    deadlines = tuple(rules.deadline.for_period(p) for p in periods)
    not_qualifying = frozenset(rules.not_qualifying)
    counted = await counted_units_per_month(session=session, periods=periods)
    pages = max(1, -(-counted.get("", 0) // per_page))
    page = min(max(1, page), pages)
    shown = await page_units(
        session=session, year=year, offset=(page - 1) * per_page, limit=per_page
    )
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
        counted=tuple(counted.get(p, 0) for p in periods),
        page=page,
        pages=pages,
        units=counted.get("", 0),
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
