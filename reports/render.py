"""Reports as rows of cells, a console table, and CSV (UTF-8 with BOM for Vietnamese Excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import datetime

from domain.kinds import UNIT_GROUP_LABELS, UnitGroup, unit_group
from reports import texts
from reports.figures import MonthReport, Standing, UnitMonth, YearReport, YearRow

Cell = str | int | datetime
Rows = list[list[Cell]]


def month_headers(report: MonthReport) -> list[str]:
    """Column headers; the phone column exists only in the internal copy."""
    headers = list(texts.MONTH_HEADERS)
    if report.internal:
        headers.append(texts.PHONE_HEADER)
    return headers


def _officer_cells(row: UnitMonth, *, internal: bool) -> list[Cell]:
    if not row.officers:
        return [texts.NO_OFFICER, "", ""] if internal else [texts.NO_OFFICER, ""]
    cells: list[Cell] = [
        "; ".join(o.name for o in row.officers),
        "; ".join(o.position for o in row.officers),
    ]
    if internal:
        cells.append("; ".join(o.phone or "" for o in row.officers))
    return cells


def month_rows(report: MonthReport) -> Rows:
    """One list of cells per unit, in report order."""
    rows: Rows = []
    for number, row in enumerate(report.rows, start=1):
        first = texts.fmt_datetime(row.first_received_at) if row.first_received_at else ""
        rows.append(
            [
                number,
                row.unit_code,
                row.unit_name,
                row.submitted,
                row.approved,
                row.published,
                texts.standing_label(row),
                first,
                *_officer_cells(row, internal=report.internal),
            ]
        )
    return rows


def year_headers(report: YearReport) -> list[str]:
    months = [f"T{m:02d}/{report.year}" for m in range(1, 13)]
    notes = [texts.NOTE_HEADER] if has_notes(report) else []
    return [*texts.YEAR_FIXED_HEADERS, *months, texts.YEAR_TOTAL_HEADER, *notes]


def has_notes(report: YearReport) -> bool:
    """Whether some unit ended or started that year (the grid then has a note column)."""
    return any(row.note for row in report.rows)


def _year_cells(number: int, row: YearRow, *, notes: bool) -> list[Cell]:
    marks = [texts.GRID_MARKS[m] if m is not None else texts.NOT_COUNTED for m in row.months]
    total = f"{row.complied_months}/{row.counted_months}"
    return [number, row.unit_code, row.unit_name, *marks, total, *([row.note] if notes else [])]


def year_rows(report: YearReport) -> Rows:
    notes = has_notes(report)
    return [_year_cells(i, row, notes=notes) for i, row in enumerate(report.rows, start=1)]


# --- grouping by kind, with subtotals ------------------------------------------------------


def groups_of(kinds: Sequence[str]) -> list[tuple[UnitGroup, list[int]]]:
    """Row indexes per group, in report order (the rows come sorted by kind already)."""
    grouped: dict[UnitGroup, list[int]] = {}
    for index, kind in enumerate(kinds):
        grouped.setdefault(unit_group(kind), []).append(index)
    return list(grouped.items())


def _padded(cells: list[Cell], width: int) -> list[Cell]:
    return cells + [""] * (width - len(cells))


def _with_groups(
    rows: Rows, kinds: Sequence[str], subtotal: Callable[[str, list[int]], list[Cell]]
) -> Rows:
    """Rows with a heading before and a subtotal after each group of units, and a grand
    total; unchanged when all units are of one group."""
    groups = groups_of(kinds)
    if len(groups) < 2:
        return rows
    width = max(len(r) for r in rows)
    out: Rows = []
    for number, (group, indexes) in zip(texts.GROUP_NUMBERS, groups, strict=False):
        label = UNIT_GROUP_LABELS[group]
        heading = texts.GROUP_HEADING.format(number=number, label=label)
        out.append(_padded(["", "", heading], width))
        out.extend(rows[i] for i in indexes)
        name = texts.GROUP_SUBTOTAL.format(label=label.lower(), count=len(indexes))
        out.append(_padded(subtotal(name, indexes), width))
    everything = list(range(len(rows)))
    out.append(_padded(subtotal(texts.GRAND_TOTAL.format(count=len(rows)), everything), width))
    return out


def grouped_month_rows(report: MonthReport, rows: Rows) -> Rows:
    """The month's unit rows grouped by kind (departments, districts, communes and wards,
    press, others), each group with its subtotal: products sent, approved, published, and how
    many units sent."""

    def subtotal(name: str, indexes: list[int]) -> list[Cell]:
        units = [report.rows[i] for i in indexes]
        sent = sum(1 for u in units if u.standing is not Standing.MISSING)
        return [
            "",
            "",
            name,
            sum(u.submitted for u in units),
            sum(u.approved for u in units),
            sum(u.published for u in units),
            texts.SENT_OF.format(sent=sent, total=len(units)),
        ]

    return _with_groups(rows, [r.unit_kind for r in report.rows], subtotal)


def grouped_year_rows(report: YearReport, rows: Rows) -> Rows:
    """The yearly grid grouped by kind, each group with, per month, units that sent out of
    units counted."""

    def subtotal(name: str, indexes: list[int]) -> list[Cell]:
        units = [report.rows[i] for i in indexes]
        months: list[Cell] = []
        for m in range(12):
            counted = [u.months[m] for u in units if u.months[m] is not None]
            sent = sum(1 for s in counted if s is not Standing.MISSING)
            months.append(f"{sent}/{len(counted)}" if counted else "")
        complied = sum(u.complied_months for u in units)
        total = f"{complied}/{sum(u.counted_months for u in units)}"
        return ["", "", name, *months, total]

    return _with_groups(rows, [r.unit_kind for r in report.rows], subtotal)


def table(headers: Sequence[str], rows: Rows) -> str:
    """A plain aligned console table (NFC Vietnamese letters are one column wide)."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def to_csv(headers: Sequence[str], rows: Rows) -> bytes:
    """CSV in UTF-8 with a byte-order mark, which Excel needs to read Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def month_table(report: MonthReport) -> str:
    """The month report for a terminal: title, table, summary."""
    title = texts.MONTH_TITLE.format(month=texts.fmt_month(report.period))
    body = table(month_headers(report), grouped_month_rows(report, month_rows(report)))
    rule = texts.RULES.get(report.counts_as, "")
    return f"{title}\n{rule}\n\n{body}\n{texts.summary(report)}\n"


def year_table(report: YearReport) -> str:
    title = texts.YEAR_TITLE.format(year=report.year)
    rows = grouped_year_rows(report, year_rows(report))
    return f"{title}\n\n{table(year_headers(report), rows)}"


def month_csv(report: MonthReport) -> bytes:
    return to_csv(month_headers(report), grouped_month_rows(report, month_rows(report)))


def year_csv(report: YearReport) -> bytes:
    return to_csv(year_headers(report), grouped_year_rows(report, year_rows(report)))
