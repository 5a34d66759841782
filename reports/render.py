"""Reports as rows of cells, a console table, and CSV (UTF-8 with BOM for Vietnamese Excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from reports import texts
from reports.figures import MonthReport, UnitMonth, YearReport, YearRow

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
    return [*texts.YEAR_FIXED_HEADERS, *months, texts.YEAR_TOTAL_HEADER]


def _year_cells(number: int, row: YearRow) -> list[Cell]:
    marks = [texts.GRID_MARKS[m] if m is not None else texts.NOT_COUNTED for m in row.months]
    total = f"{row.complied_months}/{row.counted_months}"
    return [number, row.unit_code, row.unit_name, *marks, total]


def year_rows(report: YearReport) -> Rows:
    return [_year_cells(i, row) for i, row in enumerate(report.rows, start=1)]


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
    body = table(month_headers(report), month_rows(report))
    rule = texts.RULES.get(report.counts_as, "")
    return f"{title}\n{rule}\n\n{body}\n{texts.summary(report)}\n"


def year_table(report: YearReport) -> str:
    title = texts.YEAR_TITLE.format(year=report.year)
    return f"{title}\n\n{table(year_headers(report), year_rows(report))}"


def month_csv(report: MonthReport) -> bytes:
    return to_csv(month_headers(report), month_rows(report))


def year_csv(report: YearReport) -> bytes:
    return to_csv(year_headers(report), year_rows(report))
