"""Reports grouped by unit kind with subtotals, and the notes on units that ended or started."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from domain.kinds import UnitGroup, unit_group
from domain.periods import TZ
from reports import render, texts, xlsx
from reports.figures import MonthReport, Standing, UnitMonth, YearReport, YearRow

DEADLINE = datetime(2025, 7, 31, 17, 0, tzinfo=TZ)
GENERATED = datetime(2025, 8, 2, 8, 0, tzinfo=TZ)
ON, LATE, MISS = Standing.ON_TIME, Standing.LATE, Standing.MISSING


def july() -> MonthReport:
    rows = (
        UnitMonth("so-y-te", "Sở Y tế", 2, 1, 1, ON, unit_kind="department"),
        UnitMonth("so-tu-phap", "Sở Tư pháp", 0, 0, 0, MISS, unit_kind="department"),
        UnitMonth("xa-than-khe", "Xã Thần Khê", 1, 1, 0, LATE, unit_kind="commune"),
        UnitMonth("phuong-pho-hien", "Phường Phố Hiến", 0, 0, 0, MISS, unit_kind="ward"),
        UnitMonth("bao-hy", "Báo Hưng Yên", 3, 3, 3, ON, unit_kind="press"),
    )
    return MonthReport("2025-07", DEADLINE, GENERATED, rows)


def test_kinds_fall_into_report_groups() -> None:
    assert unit_group("commune") is unit_group("ward") is unit_group("special_zone")
    assert unit_group("commune") is UnitGroup.COMMUNES
    assert unit_group("moon") is UnitGroup.OTHER


def test_month_rows_grouped_with_subtotals_and_total() -> None:
    report = july()
    grouped = render.grouped_month_rows(report, render.month_rows(report))
    width = len(render.month_headers(report))
    assert all(len(row) == width for row in grouped)
    assert [row[:7] for row in grouped] == [
        ["", "", "I. Sở, ban, ngành", "", "", "", ""],
        [1, "so-y-te", "Sở Y tế", 2, 1, 1, "Đúng hạn"],
        [2, "so-tu-phap", "Sở Tư pháp", 0, 0, 0, "Chưa gửi"],
        ["", "", "Cộng sở, ban, ngành (2 đơn vị)", 2, 1, 1, "1/2 đã gửi"],
        ["", "", "II. Xã, phường, đặc khu", "", "", "", ""],
        [3, "xa-than-khe", "Xã Thần Khê", 1, 1, 0, "Trễ hạn"],
        [4, "phuong-pho-hien", "Phường Phố Hiến", 0, 0, 0, "Chưa gửi"],
        ["", "", "Cộng xã, phường, đặc khu (2 đơn vị)", 1, 1, 0, "1/2 đã gửi"],
        ["", "", "III. Cơ quan báo chí", "", "", "", ""],
        [5, "bao-hy", "Báo Hưng Yên", 3, 3, 3, "Đúng hạn"],
        ["", "", "Cộng cơ quan báo chí (1 đơn vị)", 3, 3, 3, "1/1 đã gửi"],
        ["", "", "Tổng cộng (5 đơn vị)", 6, 5, 4, "3/5 đã gửi"],
    ]  # fmt: skip


def test_one_kind_only_is_not_grouped() -> None:
    report = MonthReport("2025-07", DEADLINE, GENERATED, july().rows[:2])
    rows = render.month_rows(report)
    assert render.grouped_month_rows(report, rows) == rows
    assert texts.group_summary(report) == ""


def test_summary_has_a_line_per_kind() -> None:
    assert texts.summary(july()).splitlines()[:2] == [
        "Báo cáo tháng 07/2025: 3/5 đơn vị đạt (2 đúng hạn, 1 trễ hạn).",
        "Theo loại: Sở, ban, ngành 1/2; Xã, phường, đặc khu 1/2; Cơ quan báo chí 1/1.",
    ]


def test_csv_and_xlsx_carry_the_groups() -> None:
    report = july()
    rows = list(csv.reader(io.StringIO(render.month_csv(report).decode("utf-8-sig"))))
    assert rows[1][:3] == ["", "", "I. Sở, ban, ngành"]
    assert rows[-1][2:7] == ["Tổng cộng (5 đơn vị)", "6", "5", "4", "3/5 đã gửi"]
    ws = load_workbook(io.BytesIO(xlsx.month_xlsx(report))).active
    assert ws is not None
    assert ws.max_row == 4 + 12
    assert ws["C5"].value == "I. Sở, ban, ngành" and ws["C5"].font.bold
    assert ws["C6"].value == "Sở Y tế" and not ws["C6"].font.bold
    assert [ws.cell(row=16, column=c).value for c in range(3, 8)] == [
        "Tổng cộng (5 đơn vị)", 6, 5, 4, "3/5 đã gửi",
    ]  # fmt: skip


def year() -> YearReport:
    district = (MISS, ON, ON, LATE, ON, ON, None, None, None, None, None, None)
    commune = (None,) * 6 + (ON, MISS, ON, ON, ON, MISS)
    department = (ON,) * 12
    note_ended = texts.ended_note(date(2025, 6, 30), ["Xã A", "Xã B", "Xã C", "Xã D"])
    note_started = texts.started_note(date(2025, 7, 1), ["UBND huyện Hưng Hà"])
    rows = (
        YearRow("so-y-te", "Sở Y tế", department, "department"),
        YearRow("h-hung-ha", "UBND huyện Hưng Hà", district, "district", note_ended),
        YearRow("xa-a", "Xã A", commune, "commune", note_started),
    )
    return YearReport(2025, GENERATED, rows)


def test_notes_name_successors_and_predecessors() -> None:
    rows = {r.unit_code: r.note for r in year().rows}
    assert rows["h-hung-ha"] == (
        "Ngừng hoạt động từ 01/07/2025; kế thừa: Xã A, Xã B, Xã C … và 1 đơn vị khác"
    )
    assert rows["xa-a"] == "Hoạt động từ 01/07/2025; tiếp nhận từ: UBND huyện Hưng Hà"
    assert texts.ended_note(date(2025, 2, 28), []) == "Ngừng hoạt động từ 01/03/2025"


def test_year_grid_has_notes_and_monthly_subtotals() -> None:
    report = year()
    headers = render.year_headers(report)
    assert headers[-2:] == ["Số tháng đạt", "Ghi chú"]
    grouped = render.grouped_year_rows(report, render.year_rows(report))
    assert all(len(row) == len(headers) for row in grouped)
    assert grouped[3][2] == "II. Huyện, thành phố"
    subtotal = grouped[5]
    assert subtotal[2] == "Cộng huyện, thành phố (1 đơn vị)"
    assert subtotal[3:9] == ["0/1", "1/1", "1/1", "1/1", "1/1", "1/1"]
    assert subtotal[9:15] == [""] * 6 and subtotal[15:] == ["5/6", ""]
    assert grouped[-1][2:4] == ["Tổng cộng (3 đơn vị)", "1/2"]
    assert str(grouped[4][-1]).startswith("Ngừng hoạt động từ 01/07/2025")
    ws = load_workbook(io.BytesIO(xlsx.year_xlsx(report))).active
    assert ws is not None
    assert ws.cell(row=4, column=len(headers)).value == "Ghi chú"
    assert ws.max_row == 4 + len(grouped)


def test_year_without_changes_has_no_note_column() -> None:
    rows = (YearRow("so-y-te", "Sở Y tế", (ON,) * 12, "department"),)
    report = YearReport(2025, GENERATED, rows)
    assert render.year_headers(report)[-1] == "Số tháng đạt"
    assert len(render.year_rows(report)[0]) == len(render.year_headers(report))
