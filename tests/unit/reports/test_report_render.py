"""Report renderings from plain data: console table, CSV with BOM, XLSX reopened by openpyxl."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import datetime

from openpyxl import load_workbook

from domain.periods import TZ
from reports import render, texts, xlsx
from reports.figures import MonthReport, Officer, Standing, UnitMonth, YearReport, YearRow

DEADLINE = datetime(2024, 7, 19, 17, 0, tzinfo=TZ)
GENERATED = datetime(2024, 8, 2, 8, 0, tzinfo=TZ)


def sample(*, internal: bool, unregistered: tuple[str, ...] = ()) -> MonthReport:
    phone = "+84912345678" if internal else None
    rows = (
        UnitMonth(
            unit_code="s-tttt",
            unit_name="Sở Thông tin và Truyền thông",
            submitted=3,
            approved=2,
            published=1,
            standing=Standing.ON_TIME,
            first_received_at=datetime(2024, 7, 5, 9, 30, tzinfo=TZ),
            officers=(
                Officer("Nguyễn Thị Hoà", "Chuyên viên", phone),
                Officer("Trần Văn Bình", "Phó Chánh Văn phòng", phone),
            ),
        ),
        UnitMonth(
            unit_code="h-thai-thuy",
            unit_name="UBND huyện Thái Thụy",
            submitted=1,
            approved=0,
            published=0,
            standing=Standing.LATE,
            first_received_at=datetime(2024, 7, 25, 14, 5, tzinfo=TZ),
            officers=(Officer("Phạm Bình Minh", "Chánh Văn phòng", phone),),
        ),
        UnitMonth(
            unit_code="s-yte",
            unit_name="Sở Y tế",
            submitted=1,
            approved=0,
            published=0,
            standing=Standing.MISSING,
        ),
    )
    return MonthReport(
        period="2024-07",
        deadline=DEADLINE,
        generated_at=GENERATED,
        rows=rows,
        internal=internal,
        unregistered=unregistered,
    )


def test_month_rows_cell_by_cell() -> None:
    assert render.month_rows(sample(internal=False)) == [
        [1, "s-tttt", "Sở Thông tin và Truyền thông", 3, 2, 1, "Đúng hạn", "09:30 ngày 05/07/2024",
         "Nguyễn Thị Hoà; Trần Văn Bình", "Chuyên viên; Phó Chánh Văn phòng"],
        [2, "h-thai-thuy", "UBND huyện Thái Thụy", 1, 0, 0, "Trễ hạn", "14:05 ngày 25/07/2024",
         "Phạm Bình Minh", "Chánh Văn phòng"],
        [3, "s-yte", "Sở Y tế", 1, 0, 0, "Chưa đạt", "", "Chưa đăng ký", ""],
    ]  # fmt: skip


def test_phone_only_in_the_internal_copy() -> None:
    shared = render.month_csv(sample(internal=False)).decode("utf-8-sig")
    internal = render.month_csv(sample(internal=True)).decode("utf-8-sig")
    assert "Điện thoại" not in shared
    assert "+84912345678" not in shared
    assert internal.splitlines()[0].endswith(",Điện thoại")
    assert internal.splitlines()[1].endswith(",+84912345678; +84912345678")
    assert render.month_rows(sample(internal=True))[2][-3:] == ["Chưa đăng ký", "", ""]


def test_csv_has_bom_and_round_trips() -> None:
    data = render.month_csv(sample(internal=False))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(texts.MONTH_HEADERS)
    assert rows[2] == ["2", "h-thai-thuy", "UBND huyện Thái Thụy", "1", "0", "0", "Trễ hạn",
                       "14:05 ngày 25/07/2024", "Phạm Bình Minh", "Chánh Văn phòng"]  # fmt: skip
    assert unicodedata.is_normalized("NFC", data.decode("utf-8-sig"))


def test_console_table_aligns_columns() -> None:
    out = render.month_table(sample(internal=False))
    lines = out.splitlines()
    assert lines[0] == "BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI THÁNG 07/2024"
    header, rule, first = lines[3], lines[4], lines[5]
    assert header.startswith("STT  Mã đơn vị    Tên đơn vị")
    assert set(rule) == {"-", " "}
    assert first.index("s-tttt") == header.index("Mã đơn vị")
    assert first.index("Đúng hạn") == header.index("Tình trạng")
    assert out.rstrip().endswith("Chưa đạt (1): Sở Y tế.")
    assert lines[1] == texts.RULES["sent"]  # the compliance rule is stated


def test_summary_message() -> None:
    report = sample(internal=False, unregistered=("Sở Y tế", "UBND huyện Vũ Thư"))
    assert texts.summary(report) == (
        "Báo cáo tháng 07/2024: 2/3 đơn vị đạt (1 đúng hạn, 1 trễ hạn).\n"
        "Đã gửi: 3/3 đơn vị; đã đăng: 1/3 đơn vị.\n"
        "Chưa đạt (1): Sở Y tế.\n"
        "Chưa đăng ký cán bộ đầu mối (2): Sở Y tế, UBND huyện Vũ Thư."
    )


def test_summary_shortens_long_lists() -> None:
    rows = tuple(
        UnitMonth(f"u{i:02d}", f"Đơn vị {i:02d}", 0, 0, 0, Standing.MISSING) for i in range(20)
    )
    report = MonthReport("2024-07", DEADLINE, GENERATED, rows)
    text = texts.summary(report)
    assert text.startswith("Báo cáo tháng 07/2024: 0/20 đơn vị đạt (0 đúng hạn, 0 trễ hạn).")
    assert text.endswith("Đơn vị 14 … và 5 đơn vị khác.")


def test_summary_when_everyone_sent() -> None:
    rows = (UnitMonth("a", "Sở A", 1, 1, 1, Standing.ON_TIME),)
    report = MonthReport("2025-01", DEADLINE, GENERATED, rows)
    assert texts.summary(report).splitlines()[2] == "Tất cả đơn vị đều đạt."


def test_month_xlsx_reopens_with_expected_values_and_layout() -> None:
    report = sample(internal=True, unregistered=("Sở Y tế",))
    wb = load_workbook(io.BytesIO(xlsx.month_xlsx(report)))
    assert wb.sheetnames == ["Tháng 07-2024", "Chưa đăng ký cán bộ"]
    ws = wb["Tháng 07-2024"]
    assert ws["A1"].value == "BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI THÁNG 07/2024"
    assert ws["A2"].value == (
        f"Hạn gửi: 17:00 ngày 19/07/2024. {texts.RULES['sent']} Lập lúc: 08:00 ngày 02/08/2024. "
        "Bản nội bộ (có số điện thoại, chỉ dùng trong Ban Biên tập)."
    )
    header = [c.value for c in ws[4]]
    assert header == [*texts.MONTH_HEADERS, "Điện thoại"]
    assert all(ws.cell(row=4, column=c).font.bold for c in range(1, len(header) + 1))
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=7)]
    assert values[2] == [3, "s-yte", "Sở Y tế", 1, 0, 0, "Chưa đạt", None, "Chưa đăng ký", None,
                         None]  # fmt: skip
    expected = render.month_rows(report)[:2]
    expected[0][7] = datetime(2024, 7, 5, 9, 30)  # a real date cell, local wall time
    expected[1][7] = datetime(2024, 7, 25, 14, 5)
    assert values[:2] == expected
    assert ws["H5"].number_format == "dd/mm/yyyy hh:mm"
    assert values[0][3:6] == [3, 2, 1]  # counts stay numbers, not text
    assert ws.freeze_panes == "D5"
    assert ws.auto_filter.ref == "A4:K7"
    assert ws.column_dimensions["C"].width == len("Sở Thông tin và Truyền thông") + 2
    assert ws.column_dimensions["A"].width == 5
    assert ws.max_row == 7
    extra = wb["Chưa đăng ký cán bộ"]
    assert [[c.value for c in row] for row in extra.iter_rows(min_row=4)] == [
        ["STT", "Tên đơn vị"],
        [1, "Sở Y tế"],
    ]


def test_month_xlsx_status_colours_are_conditional_formats() -> None:
    wb = load_workbook(io.BytesIO(xlsx.month_xlsx(sample(internal=False))))
    ws = wb.active
    assert ws is not None
    rules = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            rules[rule.formula[0]] = (str(cf.sqref), rule.operator, rule.dxf.fill.fgColor.rgb)
    assert rules == {
        '"Đúng hạn"': ("G5:G7", "equal", "00C6EFCE"),
        '"Trễ hạn"': ("G5:G7", "equal", "00FFEB9C"),
        '"Chưa gửi"': ("G5:G7", "equal", "00FFC7CE"),
        '"Chưa theo dõi"': ("G5:G7", "equal", "00D9D9D9"),
        '"Chưa đạt"': ("G5:G7", "equal", "00FFC7CE"),
    }


def test_shared_xlsx_carries_no_phone() -> None:
    wb = load_workbook(io.BytesIO(xlsx.month_xlsx(sample(internal=False))))
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any("+849" in c or "Điện thoại" in c for c in cells)
    assert wb.sheetnames == ["Tháng 07-2024"]


def year_sample() -> YearReport:
    on, late, miss = Standing.ON_TIME, Standing.LATE, Standing.MISSING
    rows = (
        YearRow("s-tttt", "Sở TT&TT", (on, on, late, miss, on, on, on, None, None, None, None,
                                      None)),
        YearRow("h-moi", "UBND xã Mới", (None, None, None, None, None, None, miss, None, None,
                                         None, None, None)),
    )  # fmt: skip
    return YearReport(year=2024, generated_at=GENERATED, rows=rows)


def test_year_grid_cells() -> None:
    report = year_sample()
    assert render.year_headers(report)[:4] == ["STT", "Mã đơn vị", "Tên đơn vị", "T01/2024"]
    assert render.year_headers(report)[-1] == "Số tháng đạt"
    assert render.year_rows(report) == [
        [1, "s-tttt", "Sở TT&TT", "✓", "✓", "Trễ", "✗", "✓", "✓", "✓", "", "", "", "", "",
         "6/7"],
        [2, "h-moi", "UBND xã Mới", "", "", "", "", "", "", "✗", "", "", "", "", "", "0/1"],
    ]  # fmt: skip
    assert render.year_csv(report).decode("utf-8-sig").splitlines()[2] == (
        "2,h-moi,UBND xã Mới,,,,,,,✗,,,,,,0/1"
    )


def test_year_xlsx_reopens() -> None:
    report = year_sample()
    wb = load_workbook(io.BytesIO(xlsx.year_xlsx(report)))
    ws = wb["Năm 2024"]
    assert ws["A1"].value == "BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI NĂM 2024"
    grid = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=6)]
    assert grid == [[v if v != "" else None for v in row] for row in render.year_rows(report)]
    assert ws.freeze_panes == "D5"
    ranges = sorted({str(cf.sqref) for cf in ws.conditional_formatting})
    assert ranges == sorted(f"{col}5:{col}6" for col in "DEFGHIJKLMNO")
