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
    if report.reach is not None and not render.is_grouped([r.unit_kind for r in report.rows]):
        rows.append(render.month_total_row(report))
    _write_sheet(
        ws, title=texts.MONTH_TITLE.format(month=month), info=info, headers=headers, rows=rows
    )
    _bold_group_rows(ws, rows)
    status_col = get_column_letter(headers.index("Tình trạng") + 1)
    _colour_column(
        ws, status_col, len(rows), _colours(texts.STANDING_LABELS) | {texts.NOT_MET: RED}
    )
    _group_by_kind(ws, [r.unit_kind for r in report.rows])
    if report.reach is not None:
        _month_reach(wb, ws, report, rows)
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
    """In print, each group of units starts on a new page (after the previous group's
    subtotal when the report is grouped; rows come sorted by kind)."""
    groups = render.groups_of(kinds)
    if len(groups) < 2:
        return
    start = 0
    for _group, indexes in groups[:-1]:
        start += len(indexes) + 2  # heading, units, subtotal
        ws.row_breaks.append(Break(id=HEADER_ROW + start))  # break after the subtotal


def _bold_row(ws: Worksheet, row: int, cells: Sequence[render.Cell], *, fill: str = "") -> None:
    for col, value in enumerate(cells, start=1):
        if value == "":
            continue
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = Font(bold=True)
        if fill:
            cell.fill = _fill(fill)


def _month_reach(wb: Workbook, ws: Worksheet, report: MonthReport, rows: render.Rows) -> None:
    """The totals row (the last one) shaded, the OA's followers under the table, and the
    chart sheet."""
    reach = report.reach
    assert reach is not None
    total_row = HEADER_ROW + len(rows)
    _bold_row(ws, total_row, rows[-1], fill=GREY)
    oa_first = total_row + 2
    for offset, (label, value) in enumerate(render.oa_rows(reach)):
        ws.cell(row=oa_first + offset, column=3, value=str(label)).font = Font(bold=True)
        ws.cell(row=oa_first + offset, column=4, value=value)
    ws.cell(row=oa_first + 3, column=3, value=render.reach_note(reach)).font = Font(italic=True)
    _chart_sheet(
        wb,
        title=texts.CHART_SHEET,
        followers=[(texts.fmt_month(p), f) for p, f in reach.followers_trend],
        views=[(r.unit_name, reach.of(r.unit_code).views) for r in report.rows],
    )


def _chart_sheet(
    wb: Workbook,
    *,
    title: str,
    followers: Sequence[tuple[str, int | None]],
    views: Sequence[tuple[str, int | None]],
) -> None:
    """A sheet with two charts: followers month by month, and views by unit.

    The figures are written on the sheet itself (a chart needs cells; the units' rows of the
    report are split by group headings and subtotals); months or units with no reading stay
    empty, so the chart has a gap rather than a made-up zero.
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
    header = last + 2
    sheet.cell(row=header, column=1, value=texts.CHART_UNIT).font = Font(bold=True)
    sheet.cell(row=header, column=2, value=texts.REACH_HEADERS[1]).font = Font(bold=True)
    for index, (unit, value) in enumerate(views, start=header + 1):
        sheet.cell(row=index, column=1, value=unit)
        if value is not None:
            sheet.cell(row=index, column=2, value=value)
    first, end = header + 1, header + len(views)
    if end >= first:
        bars = BarChart()
        bars.type = "bar"  # horizontal: unit names stay readable
        bars.title = texts.CHART_VIEWS_TITLE
        bars.x_axis.title = texts.CHART_UNIT
        bars.y_axis.title = texts.REACH_HEADERS[1]
        data = Reference(sheet, min_col=2, min_row=header, max_row=end)
        bars.add_data(data, titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=end))
        bars.legend = None
        bars.height, bars.width = max(8, 0.6 * (end - first + 1)), 18
        sheet.add_chart(bars, "D20")
    _print_setup(sheet)


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
    _group_by_kind(ws, [r.unit_kind for r in report.rows])
    if report.reach is not None:
        _year_reach(wb, report)
    return _save(wb)


def _bold_group_rows(ws: Worksheet, rows: render.Rows) -> None:
    """Group headings and subtotals (the rows without a number) in bold."""
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        if row and row[0] == "":
            for col, value in enumerate(row, start=1):
                if value != "":
                    ws.cell(row=r, column=col).font = Font(bold=True)


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
        views=[(str(r[2]), r[-1] if isinstance(r[-1], int) else None) for r in rows[:-1]],
    )
