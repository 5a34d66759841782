"""The report as an Excel workbook: Vietnamese headers, widths, frozen header, colours."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.periods import TZ
from reports import render, texts
from reports.figures import MonthReport, Standing, YearReport

HEADER_ROW = 4  # rows 1-2 carry the title and the context line
GREEN, AMBER, RED, GREY = "C6EFCE", "FFEB9C", "FFC7CE", "D9D9D9"
STANDING_COLOURS = {
    Standing.ON_TIME: GREEN,
    Standing.LATE: AMBER,
    Standing.MISSING: RED,
    Standing.NOT_TRACKED: GREY,
}
MIN_WIDTH, MAX_WIDTH = 5, 48


def _fill(colour: str) -> PatternFill:
    return PatternFill(start_color=colour, end_color=colour, fill_type="solid")


def _write_sheet(
    ws: Worksheet, *, title: str, info: str, headers: Sequence[str], rows: render.Rows
) -> None:
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = info
    ws["A2"].font = Font(italic=True)
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = _fill(GREY)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in enumerate(row, start=1):
            if value != "":  # leave empty cells truly empty, not an empty string
                cell = ws.cell(row=r, column=col, value=value)
                if isinstance(value, datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
    for col, header in enumerate(headers, start=1):
        longest = max([len(header), *(len(str(row[col - 1])) for row in rows)])
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        ws.column_dimensions[get_column_letter(col)].width = width
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
    # Keep the header and the unit's code and name in view while scrolling.
    ws.freeze_panes = f"D{HEADER_ROW + 1}"


def _colour_column(ws: Worksheet, column: str, count: int, marks: dict[str, str]) -> None:
    """Colour cells by their text (text -> colour), as conditional formats so edits in Excel
    recolour them."""
    cells = f"{column}{HEADER_ROW + 1}:{column}{HEADER_ROW + max(count, 1)}"
    for text, colour in marks.items():
        rule = CellIsRule(operator="equal", formula=[f'"{text}"'], fill=_fill(colour))
        ws.conditional_formatting.add(cells, rule)


def _colours(marks: dict[Standing, str]) -> dict[str, str]:
    return {text: STANDING_COLOURS[standing] for standing, text in marks.items()}


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def month_xlsx(report: MonthReport) -> bytes:
    """The month report as XLSX bytes (a second sheet lists units without an officer)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new Workbook always has one sheet
    month = texts.fmt_month(report.period)
    ws.title = texts.MONTH_SHEET.format(month=month.replace("/", "-"))
    info = texts.MONTH_INFO.format(
        deadline=texts.fmt_datetime(report.deadline),
        rule=texts.RULES.get(report.counts_as, ""),
        generated=texts.fmt_datetime(report.generated_at),
        copy=texts.INTERNAL_COPY if report.internal else texts.SHARED_COPY,
    )
    rows = render.month_rows(report)
    first_col = render.month_headers(report).index(texts.MONTH_HEADERS[7])
    for cells, row in zip(rows, report.rows, strict=True):
        if row.first_received_at is not None:
            # A real date cell (local wall time: Excel has no time zones) sorts and filters.
            cells[first_col] = row.first_received_at.astimezone(TZ).replace(tzinfo=None)
    headers = render.month_headers(report)
    rows = render.grouped_month_rows(report, rows)
    _write_sheet(
        ws, title=texts.MONTH_TITLE.format(month=month), info=info, headers=headers, rows=rows
    )
    _bold_group_rows(ws, rows)
    status_col = get_column_letter(headers.index("Tình trạng") + 1)
    _colour_column(
        ws, status_col, len(rows), _colours(texts.STANDING_LABELS) | {texts.NOT_MET: RED}
    )
    if report.unregistered:
        extra = wb.create_sheet(texts.UNREGISTERED_SHEET)
        names: render.Rows = [[i, n] for i, n in enumerate(report.unregistered, start=1)]
        _write_sheet(
            extra,
            title=texts.UNREGISTERED_SHEET,
            info="",
            headers=texts.UNREGISTERED_HEADERS,
            rows=names,
        )
    return _save(wb)


def year_xlsx(report: YearReport) -> bytes:
    """The unit x month grid as XLSX bytes, each month column coloured by standing."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = texts.YEAR_SHEET.format(year=report.year)
    rows = render.grouped_year_rows(report, render.year_rows(report))
    info = texts.YEAR_INFO.format(generated=texts.fmt_datetime(report.generated_at))
    _write_sheet(
        ws,
        title=texts.YEAR_TITLE.format(year=report.year),
        info=info,
        headers=render.year_headers(report),
        rows=rows,
    )
    first = len(texts.YEAR_FIXED_HEADERS) + 1
    for col in range(first, first + 12):
        _colour_column(ws, get_column_letter(col), len(rows), _colours(texts.GRID_MARKS))
    _bold_group_rows(ws, rows)
    return _save(wb)


def _bold_group_rows(ws: Worksheet, rows: render.Rows) -> None:
    """Group headings and subtotals (the rows without a number) in bold."""
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        if row and row[0] == "":
            for col, value in enumerate(row, start=1):
                if value != "":
                    ws.cell(row=r, column=col).font = Font(bold=True)
