"""The report as an Excel workbook: Vietnamese headers, widths, frozen header, colours."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from domain.periods import TZ
from reports import render, texts
from reports.figures import MonthReport, Standing, YearReport

HEADER_ROW = 4  # rows 1-2 carry the title and the context line
GREEN, AMBER, RED, GREY = "C6EFCE", "FFEB9C", "FFC7CE", "D9D9D9"
STANDING_COLOURS = {Standing.ON_TIME: GREEN, Standing.LATE: AMBER, Standing.MISSING: RED}
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
    _print_setup(ws)


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, one page wide, the title and header rows repeated on every page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_options.gridLines = True


def _colour_column(ws: Worksheet, column: str, count: int, marks: dict[Standing, str]) -> None:
    """Colour cells by their text, as conditional formats so edits in Excel recolour them."""
    cells = f"{column}{HEADER_ROW + 1}:{column}{HEADER_ROW + max(count, 1)}"
    for standing, text in marks.items():
        rule = CellIsRule(
            operator="equal", formula=[f'"{text}"'], fill=_fill(STANDING_COLOURS[standing])
        )
        ws.conditional_formatting.add(cells, rule)


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
    _write_sheet(
        ws, title=texts.MONTH_TITLE.format(month=month), info=info, headers=headers, rows=rows
    )
    status_col = get_column_letter(headers.index("Tình trạng") + 1)
    _colour_column(ws, status_col, len(rows), texts.STANDING_LABELS)
    _group_by_kind(ws, [r.kind for r in report.rows])
    if report.reach is not None:
        _month_reach(wb, ws, report, headers)
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


def _group_by_kind(ws: Worksheet, kinds: Sequence[str]) -> None:
    """In print, each kind of unit (rows come sorted by kind) starts on a new page."""
    for index in range(1, len(kinds)):
        if kinds[index] != kinds[index - 1]:
            ws.row_breaks.append(Break(id=HEADER_ROW + index))  # break after the previous row


def _bold_row(ws: Worksheet, row: int, cells: Sequence[render.Cell], *, fill: str = "") -> None:
    for col, value in enumerate(cells, start=1):
        if value == "":
            continue
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = Font(bold=True)
        if fill:
            cell.fill = _fill(fill)


def _month_reach(wb: Workbook, ws: Worksheet, report: MonthReport, headers: list[str]) -> None:
    """Totals row, the OA's followers under the table, and the chart sheet."""
    reach = report.reach
    assert reach is not None
    total_row = HEADER_ROW + len(report.rows) + 1
    _bold_row(ws, total_row, render.month_total_row(report), fill=GREY)
    oa_first = total_row + 2
    for offset, (label, value) in enumerate(render.oa_rows(reach)):
        ws.cell(row=oa_first + offset, column=3, value=str(label)).font = Font(bold=True)
        ws.cell(row=oa_first + offset, column=4, value=value)
    ws.cell(row=oa_first + 3, column=3, value=render.reach_note(reach)).font = Font(italic=True)
    views_col = headers.index(texts.REACH_HEADERS[1]) + 1
    _chart_sheet(
        wb,
        title=texts.CHART_SHEET,
        followers=[(texts.fmt_month(p), f) for p, f in reach.followers_trend],
        units_sheet=ws,
        views_col=views_col,
        unit_rows=(HEADER_ROW + 1, HEADER_ROW + len(report.rows)),
    )


def _chart_sheet(
    wb: Workbook,
    *,
    title: str,
    followers: Sequence[tuple[str, int | None]],
    units_sheet: Worksheet,
    views_col: int,
    unit_rows: tuple[int, int],
) -> None:
    """A sheet with two charts: followers month by month, and views by unit.

    The follower figures are written on the sheet itself (a chart needs cells); months with
    no reading stay empty, so the line has a gap rather than a made-up zero.
    """
    sheet = wb.create_sheet(title)
    sheet["A1"] = texts.CHART_FOLLOWERS_TITLE
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=texts.CHART_MONTH).font = Font(bold=True)
    sheet.cell(row=2, column=2, value=texts.OA_FOLLOWERS).font = Font(bold=True)
    for index, (month, value) in enumerate(followers, start=3):
        sheet.cell(row=index, column=1, value=month)
        if value is not None:
            sheet.cell(row=index, column=2, value=value)
    last = 2 + len(followers)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 20
    trend = LineChart()
    trend.title = texts.CHART_FOLLOWERS_TITLE
    trend.y_axis.title = texts.OA_FOLLOWERS
    trend.x_axis.title = texts.CHART_MONTH
    trend.add_data(Reference(sheet, min_col=2, min_row=2, max_row=last), titles_from_data=True)
    trend.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=last))
    trend.legend = None
    trend.height, trend.width = 8, 18
    sheet.add_chart(trend, "D2")
    first, end = unit_rows
    if end >= first:
        views = BarChart()
        views.type = "bar"  # horizontal: unit names stay readable
        views.title = texts.CHART_VIEWS_TITLE
        views.x_axis.title = texts.CHART_UNIT
        views.y_axis.title = texts.REACH_HEADERS[1]
        data = Reference(units_sheet, min_col=views_col, min_row=first - 1, max_row=end)
        views.add_data(data, titles_from_data=True)
        views.set_categories(Reference(units_sheet, min_col=3, min_row=first, max_row=end))
        views.legend = None
        views.height, views.width = max(8, 0.6 * (end - first + 1)), 18
        sheet.add_chart(views, "D20")
    _print_setup(sheet)


def year_xlsx(report: YearReport) -> bytes:
    """The unit x month grid as XLSX bytes, each month column coloured by standing."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = texts.YEAR_SHEET.format(year=report.year)
    rows = render.year_rows(report)
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
        _colour_column(ws, get_column_letter(col), len(rows), texts.GRID_MARKS)
    if report.reach is not None:
        _year_reach(wb, report)
    return _save(wb)


def _year_reach(wb: Workbook, report: YearReport) -> None:
    """A sheet of views per unit and month (the trend), then the chart sheet."""
    assert report.reach is not None
    sheet = wb.create_sheet(texts.YEAR_REACH_SHEET.format(year=report.year))
    rows = render.year_reach_rows(report)
    headers = render.year_reach_headers(report)
    _write_sheet(
        sheet,
        title=texts.YEAR_REACH_TITLE.format(year=report.year),
        info=render.reach_note(report.reach[-1]) if report.reach else "",
        headers=headers,
        rows=rows,
    )
    followers_row = HEADER_ROW + len(rows)
    for cell in sheet[followers_row]:
        cell.font = Font(bold=True)
    months = report.reach
    _chart_sheet(
        wb,
        title=texts.CHART_SHEET,
        followers=[(texts.fmt_month(m.period), m.oa.end) for m in months],
        units_sheet=sheet,
        views_col=len(headers),  # the year's total per unit
        unit_rows=(HEADER_ROW + 1, followers_row - 1),
    )
