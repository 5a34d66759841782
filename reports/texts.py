"""Every Vietnamese text of the compliance report: headers, labels, the chat summary."""

from __future__ import annotations

from datetime import datetime
from html import escape

from domain.periods import TZ, parse_period
from reports.figures import MonthReach, MonthReport, Standing

STANDING_LABELS: dict[Standing, str] = {
    Standing.ON_TIME: "Đúng hạn",
    Standing.LATE: "Trễ hạn",
    Standing.MISSING: "Chưa gửi",
}
NOT_COUNTED = ""  # a month the unit did not exist or was not counted
NO_OFFICER = "Chưa đăng ký"

MONTH_HEADERS = (
    "STT",
    "Mã đơn vị",
    "Tên đơn vị",
    "Đã gửi",
    "Đã duyệt",
    "Đã đăng",
    "Tình trạng",
    "Gửi lần đầu",
    "Cán bộ phụ trách",
    "Chức vụ",
)
PHONE_HEADER = "Điện thoại"
YEAR_FIXED_HEADERS = ("STT", "Mã đơn vị", "Tên đơn vị")
YEAR_TOTAL_HEADER = "Số tháng đạt"

MONTH_SHEET = "Tháng {month}"
YEAR_SHEET = "Năm {year}"
MONTH_TITLE = "BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI THÁNG {month}"
YEAR_TITLE = "BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI NĂM {year}"
MONTH_INFO = "Hạn gửi: {deadline}. Lập lúc: {generated}. {copy}"
YEAR_INFO = "Đúng hạn: ✓, trễ hạn: Trễ, chưa gửi: ✗; ô trống: chưa tính. Lập lúc: {generated}."
INTERNAL_COPY = "Bản nội bộ (có số điện thoại, không gửi ra ngoài Sở)."
SHARED_COPY = "Bản gửi lãnh đạo (không kèm số điện thoại)."
UNREGISTERED_SHEET = "Chưa đăng ký cán bộ"
UNREGISTERED_HEADERS = ("STT", "Tên đơn vị")
GRID_MARKS: dict[Standing, str] = {
    Standing.ON_TIME: "✓",
    Standing.LATE: "Trễ",
    Standing.MISSING: "✗",
}

SUMMARY_HEAD = (
    "📊 Báo cáo tháng {month}: {complied}/{total} đơn vị đã gửi "
    "({on_time} đúng hạn, {late} trễ hạn)."
)
SUMMARY_ALL_DONE = "Tất cả đơn vị đã gửi sản phẩm. 👏"
SUMMARY_MISSING = "Chưa gửi ({count}): {names}."
SUMMARY_UNREGISTERED = "Chưa đăng ký cán bộ phụ trách ({count}): {names}."
SUMMARY_MORE = "… và {count} đơn vị khác"
SUMMARY_NAMES_SHOWN = 15

REPORT_MAIL_SUBJECT = "[Newsdesk] Báo cáo tình hình gửi tin, bài tháng {month}"
REPORT_MAIL_BODY = (
    "Kính gửi lãnh đạo,\n\n"
    "Hệ thống Newsdesk gửi kèm báo cáo tình hình gửi tin, bài của các đơn vị tháng {month} "
    "(tệp Excel và CSV).\n\n{summary}\n\n"
    "Thư này được gửi tự động; vui lòng không trả lời."
)


def fmt_date(at: datetime) -> str:
    """dd/mm/yyyy in Vietnam's time zone."""
    return at.astimezone(TZ).strftime("%d/%m/%Y")


def fmt_datetime(at: datetime) -> str:
    """HH:MM dd/mm/yyyy in Vietnam's time zone."""
    return at.astimezone(TZ).strftime("%H:%M %d/%m/%Y")


def fmt_month(period: str) -> str:
    """ "2024-07" as "07/2024"."""
    year, month = parse_period(period)
    return f"{month:02d}/{year}"


def _names(names: list[str]) -> str:
    shown = names[:SUMMARY_NAMES_SHOWN]
    text = ", ".join(shown)
    if len(names) > len(shown):
        text += " " + SUMMARY_MORE.format(count=len(names) - len(shown))
    return text


def summary(report: MonthReport) -> str:
    """The short message for the editors' chat and the report mail."""
    lines = [
        SUMMARY_HEAD.format(
            month=fmt_month(report.period),
            complied=len(report.complied),
            total=len(report.rows),
            on_time=report.count(Standing.ON_TIME),
            late=report.count(Standing.LATE),
        )
    ]
    missing = [r.unit_name for r in report.missing]
    if missing:
        lines.append(SUMMARY_MISSING.format(count=len(missing), names=_names(missing)))
    else:
        lines.append(SUMMARY_ALL_DONE)
    if report.unregistered:
        names = _names(list(report.unregistered))
        lines.append(SUMMARY_UNREGISTERED.format(count=len(report.unregistered), names=names))
    if report.reach is not None:
        lines += reach_summary(report.reach)
    return "\n".join(lines)


# --- reach (Zalo OA views and followers) ---------------------------------------------------------

NO_FIGURE = "—"  # no reading behind the figure (dry run, sync not run yet): never a guess
REACH_HEADERS = ("Bài trên OA", "Lượt xem", "Lượt xem/bài")
REACH_TOTAL = "Tổng cộng"
OA_FOLLOWERS = "Người quan tâm OA"
OA_START = "Người quan tâm OA đầu tháng"
OA_END = "Người quan tâm OA cuối tháng"
OA_GROWTH = "Tăng trong tháng"
REACH_NOTE = (
    "Lượt xem, lượt chia sẻ: số Zalo báo cho các bài đăng trên OA trong tháng, tính đến {as_of}; "
    "«—»: chưa có số liệu."
)
REACH_NOTE_NONE = "Lượt xem, người quan tâm: «—» (chưa có số liệu từ Zalo OA)."
YEAR_REACH_TITLE = "LƯỢT XEM CÁC BÀI ĐĂNG TRÊN OA THEO THÁNG NĂM {year}"
YEAR_REACH_SHEET = "Lượt xem {year}"
YEAR_FOLLOWERS_ROW = "Người quan tâm OA (cuối tháng)"
CHART_SHEET = "Biểu đồ"
CHART_FOLLOWERS_TITLE = "Người quan tâm OA theo tháng"
CHART_VIEWS_TITLE = "Lượt xem theo đơn vị"
CHART_MONTH = "Tháng"
CHART_BASE = "Cột tính từ mốc {base} người"
CHART_MAIL_ALT = "Biểu đồ người quan tâm OA theo tháng"
CHART_UNIT = "Đơn vị"
SUMMARY_REACH = "👁 Lượt xem các bài đăng trên OA trong tháng: {views} ({articles} bài)."
SUMMARY_NO_REACH = "👁 Lượt xem, người quan tâm OA: — (chưa có số liệu từ Zalo OA)."
SUMMARY_OA = "👥 Người quan tâm OA: {start} → {end} ({growth})."


def fmt_count(value: int | None) -> str:
    """1234567 as "1.234.567" (Vietnamese grouping); None as "—"."""
    return NO_FIGURE if value is None else f"{value:,}".replace(",", ".")


def fmt_growth(value: int | None) -> str:
    if value is None:
        return NO_FIGURE
    return ("+" if value >= 0 else "-") + fmt_count(abs(value))


def fmt_ratio(value: float | None) -> str:
    """12.5 as "12,5"; None as "—"."""
    return NO_FIGURE if value is None else f"{value:.1f}".replace(".", ",")


def reach_summary(reach: MonthReach) -> list[str]:
    """The reach lines of the chat summary and the leadership mail."""
    if reach.as_of is None:
        return [SUMMARY_NO_REACH]
    total = reach.total
    oa = reach.oa
    return [
        SUMMARY_REACH.format(views=fmt_count(total.views), articles=fmt_count(total.articles)),
        SUMMARY_OA.format(
            start=fmt_count(oa.start), end=fmt_count(oa.end), growth=fmt_growth(oa.growth)
        ),
    ]


CHART_CID = "bieu-do-nguoi-quan-tam"


def report_mail_html(*, month: str, summary: str, chart: bool) -> str:
    """The leadership mail as HTML: the same words, and the follower chart inline."""
    body = REPORT_MAIL_BODY.format(month=month, summary=summary)
    paragraphs = [
        "<p>" + "<br>".join(escape(line) for line in block.splitlines()) + "</p>"
        for block in body.split("\n\n")
    ]
    if chart:
        image = (
            f'<p><img src="cid:{CHART_CID}" alt="{escape(CHART_MAIL_ALT)}" width="640" '
            'height="300"></p>'
        )
        paragraphs.insert(2, image)  # after the greeting and the first paragraph
    return (
        '<html><body style="font-family: Arial, sans-serif">'
        + "".join(paragraphs)
        + ("</body></html>")
    )
