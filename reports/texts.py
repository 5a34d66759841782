"""Every Vietnamese text of the compliance report: headers, labels, the chat summary."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from domain import glossary
from domain.glossary import fmt_date as fmt_date  # re-exported for the report renderers
from domain.glossary import fmt_month as fmt_month
from domain.kinds import UNIT_GROUP_LABELS, UnitGroup, unit_group
from reports.figures import MonthReach, MonthReport, Standing, UnitMonth

STANDING_LABELS: dict[Standing, str] = {
    Standing.ON_TIME: "Đúng hạn",
    Standing.LATE: "Trễ hạn",
    Standing.MISSING: "Chưa gửi",
    Standing.NOT_TRACKED: "Chưa theo dõi",
}
NOT_MET = "Chưa đạt"  # sent something, but nothing that counts (e.g. only rejected items)
NOT_COUNTED = ""  # a month the unit did not exist or was not counted
NO_OFFICER = "Chưa đăng ký"

MONTH_HEADERS = (
    "STT",
    "Mã đơn vị",
    "Tên đơn vị",
    "Số tin, bài đã gửi",
    "Số đã duyệt",
    "Số đã đăng",
    "Tình trạng",
    "Thời điểm gửi đầu tiên",
    "Cán bộ đầu mối",
    "Chức vụ",
)
PHONE_HEADER = "Điện thoại"
YEAR_FIXED_HEADERS = ("STT", "Mã đơn vị", "Tên đơn vị")
YEAR_TOTAL_HEADER = "Số tháng đạt"

MONTH_SHEET = "Tháng {month}"
YEAR_SHEET = "Năm {year}"
MONTH_TITLE = "BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI THÁNG {month}"
YEAR_TITLE = "BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI NĂM {year}"
MONTH_INFO = "Hạn gửi: {deadline}. {rule} Lập lúc: {generated}. {copy}"
# The compliance rule (schedule.counts_as), stated on every report.
RULES: dict[str, str] = {
    "sent": "Đạt: đơn vị có tin, bài gửi trong tháng không bị từ chối hoặc rút lại "
    "(kể cả tin, bài đang chờ duyệt hoặc cần chỉnh sửa); đúng hạn: gửi trước hạn.",
    "approved": "Đạt: đơn vị có tin, bài gửi trong tháng đã được duyệt; "
    "đúng hạn: tin, bài đó gửi trước hạn.",
    "published": "Đạt: đơn vị có tin, bài gửi trong tháng đã được đăng; "
    "đúng hạn: tin, bài đó gửi trước hạn.",
}
YEAR_INFO = (
    "Đúng hạn: ✓, trễ hạn: Trễ, chưa gửi: ✗, chưa theo dõi (trước khi đưa hệ thống vào sử "
    "dụng): –; ô trống: chưa tính. Lập lúc: {generated}."
)
INTERNAL_COPY = "Bản nội bộ (có số điện thoại, chỉ dùng trong Ban Biên tập)."
SHARED_COPY = "Bản gửi lãnh đạo (không kèm số điện thoại)."
UNREGISTERED_SHEET = "Chưa đăng ký cán bộ"
UNREGISTERED_HEADERS = ("STT", "Tên đơn vị")
GRID_MARKS: dict[Standing, str] = {
    Standing.ON_TIME: "✓",
    Standing.LATE: "Trễ",
    Standing.MISSING: "✗",
    Standing.NOT_TRACKED: "–",
}

SUMMARY_HEAD = (
    "Báo cáo tháng {month}: {complied}/{total} đơn vị đạt ({on_time} đúng hạn, {late} trễ hạn)."
)
SUMMARY_SENT = "Đã gửi: {sent}/{total} đơn vị; đã đăng: {published}/{total} đơn vị."
SUMMARY_NOT_TRACKED = (
    "Tháng {month}: chưa theo dõi (hạn gửi {deadline} trước ngày đưa hệ thống vào sử dụng)."
)
SUMMARY_ALL_DONE = "Tất cả đơn vị đều đạt."
SUMMARY_MISSING = "Chưa gửi ({count}): {names}."
SUMMARY_NOT_MET = "Chưa đạt ({count}): {names}."
SUMMARY_UNREGISTERED = "Chưa đăng ký cán bộ đầu mối ({count}): {names}."
SUMMARY_MORE = "… và {count} đơn vị khác"
SUMMARY_NAMES_SHOWN = 15

REPORT_MAIL_SUBJECT = "Báo cáo tình hình gửi tin, bài của các cơ quan, đơn vị tháng {month}"
# No emoji in mail to leadership; the sender is the Department, never the software.
REPORT_MAIL_BODY = (
    "Kính gửi: Lãnh đạo {department},\n\n"
    "Ban Biên tập Trang Zalo OA “{oa}” trân trọng báo cáo tình hình gửi tin, bài của các cơ "
    "quan, đơn vị tháng {month} (chi tiết tại tệp Excel, CSV kèm theo).\n\n{summary}\n\n"
    + glossary.SIGN_OFF
)


def standing_label(row: UnitMonth) -> str:
    """The status cell: "Chưa đạt" rather than "Chưa gửi" for a unit that did send."""
    if row.standing is Standing.MISSING and row.submitted:
        return NOT_MET
    return STANDING_LABELS[row.standing]


# One date and time format for every surface (domain.glossary): 08:30 ngày 25/11/2026.
fmt_datetime = glossary.fmt_time


def _names(names: list[str]) -> str:
    shown = names[:SUMMARY_NAMES_SHOWN]
    text = ", ".join(shown)
    if len(names) > len(shown):
        text += " " + SUMMARY_MORE.format(count=len(names) - len(shown))
    return text


def summary(report: MonthReport) -> str:
    """The short message for the editors' chat and the report mail (no emoji)."""
    if not report.tracked:
        month, deadline = fmt_month(report.period), fmt_datetime(report.deadline)
        return SUMMARY_NOT_TRACKED.format(month=month, deadline=deadline)
    total = len(report.rows)
    lines = [
        SUMMARY_HEAD.format(
            month=fmt_month(report.period),
            complied=len(report.complied),
            total=total,
            on_time=report.count(Standing.ON_TIME),
            late=report.count(Standing.LATE),
        ),
        SUMMARY_SENT.format(sent=len(report.sent), published=len(report.published), total=total),
    ]
    missing = [r.unit_name for r in report.missing if not r.submitted]
    not_met = [r.unit_name for r in report.missing if r.submitted]
    if missing:
        lines.append(SUMMARY_MISSING.format(count=len(missing), names=_names(missing)))
    if not_met:
        lines.append(SUMMARY_NOT_MET.format(count=len(not_met), names=_names(not_met)))
    if not report.missing:
        lines.append(SUMMARY_ALL_DONE)
    if report.unregistered:
        names = _names(list(report.unregistered))
        lines.append(SUMMARY_UNREGISTERED.format(count=len(report.unregistered), names=names))
    by_group = group_summary(report)
    if by_group:
        lines.insert(1, by_group)
    if report.reach is not None:
        lines += reach_summary(report.reach)
    return "\n".join(lines)


# --- units by kind, and the notes on units that ended or started -----------------------------

GROUP_NUMBERS = ("I", "II", "III", "IV", "V", "VI")
GROUP_HEADING = "{number}. {label}"
GROUP_SUBTOTAL = "Cộng {label} ({count} đơn vị)"
GRAND_TOTAL = "Tổng cộng ({count} đơn vị)"
SENT_OF = "{sent}/{total} đã gửi"
SUMMARY_GROUPS = "Theo loại: {groups}."
SUMMARY_GROUP = "{label} {sent}/{total}"
NOTE_HEADER = "Ghi chú"
ENDED_NOTE = "Ngừng hoạt động từ {day}"
STARTED_NOTE = "Hoạt động từ {day}"
SUCCESSORS = "kế thừa: {names}"
PREDECESSORS = "tiếp nhận từ: {names}"
NOTE_NAMES_SHOWN = 3


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _short(names: list[str]) -> str:
    shown = names[:NOTE_NAMES_SHOWN]
    text = ", ".join(shown)
    if len(names) > len(shown):
        text += " " + SUMMARY_MORE.format(count=len(names) - len(shown))
    return text


def ended_note(last_day: date, successors: list[str]) -> str:
    """ "Ngừng hoạt động từ 01/07/2025; kế thừa: Xã A, Xã B, Xã C … và 5 đơn vị khác"."""
    note = ENDED_NOTE.format(day=_day(last_day + timedelta(days=1)))
    return note + ("; " + SUCCESSORS.format(names=_short(successors)) if successors else "")


def started_note(first_day: date, predecessors: list[str]) -> str:
    """ "Hoạt động từ 01/07/2025; tiếp nhận từ: UBND huyện Hưng Hà"."""
    note = STARTED_NOTE.format(day=_day(first_day))
    return note + ("; " + PREDECESSORS.format(names=_short(predecessors)) if predecessors else "")


def group_summary(report: MonthReport) -> str:
    """ "Theo loại: Sở, ban, ngành 10/12; Xã, phường, đặc khu 50/65." ("" for one group)."""
    sent: dict[UnitGroup, list[int]] = {}
    for row in report.rows:
        counts = sent.setdefault(unit_group(row.unit_kind), [0, 0])
        counts[0] += row.complied
        counts[1] += 1
    if len(sent) < 2:
        return ""
    parts = [
        SUMMARY_GROUP.format(label=UNIT_GROUP_LABELS[group], sent=n, total=total)
        for group, (n, total) in sent.items()
    ]
    return SUMMARY_GROUPS.format(groups="; ".join(parts))


# --- reach (Zalo OA views and followers) ---------------------------------------------------------

NO_FIGURE = "—"  # no reading behind the figure (dry run, sync not run yet): never a guess
REACH_HEADERS = ("Tin, bài trên OA", "Lượt xem", "Lượt xem/bài")
REACH_TOTAL = "Tổng cộng"
OA_FOLLOWERS = "Người quan tâm OA"
OA_START = "Người quan tâm OA đầu tháng"
OA_END = "Người quan tâm OA cuối tháng"
OA_GROWTH = "Tăng trong tháng"
REACH_NOTE = (
    "Lượt xem, lượt chia sẻ: số Zalo báo cho các tin, bài đăng trên Trang Zalo OA trong tháng, "
    "tính đến {as_of}; «—»: chưa có số liệu."
)
REACH_NOTE_NONE = "Lượt xem, người quan tâm: «—» (chưa có số liệu từ Zalo OA)."
YEAR_REACH_TITLE = "LƯỢT XEM CÁC TIN, BÀI ĐĂNG TRÊN TRANG ZALO OA THEO THÁNG NĂM {year}"
YEAR_REACH_SHEET = "Lượt xem {year}"
YEAR_FOLLOWERS_ROW = "Người quan tâm OA (cuối tháng)"
CHART_SHEET = "Biểu đồ"
CHART_FOLLOWERS_TITLE = "Người quan tâm OA theo tháng"
CHART_VIEWS_TITLE = "Lượt xem theo đơn vị"
CHART_MONTH = "Tháng"
CHART_BASE = "Cột tính từ mốc {base} người"
CHART_MAIL_ALT = "Biểu đồ người quan tâm OA theo tháng"
CHART_UNIT = "Đơn vị"
SUMMARY_REACH = (
    "Lượt xem các tin, bài đăng trên Trang Zalo OA trong tháng: {views} ({articles} tin, bài)."
)
SUMMARY_NO_REACH = "Lượt xem, người quan tâm OA: — (chưa có số liệu từ Zalo OA)."
SUMMARY_OA = "Người quan tâm OA: {start} → {end} ({growth})."


def fmt_count(value: int | None) -> str:
    """1234567 as "1.234.567" (Vietnamese grouping); None as "—"."""
    return NO_FIGURE if value is None else f"{value:,}".replace(",", ".")


def fmt_growth(value: int | None) -> str:
    if value is None:
        return NO_FIGURE
    return ("+" if value >= 0 else "-") + fmt_count(abs(value))


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


def report_mail_html(*, month: str, summary: str, chart: bool, department: str, oa: str) -> str:
    """The leadership mail as HTML: the same words, and the follower chart inline."""
    body = REPORT_MAIL_BODY.format(month=month, summary=summary, department=department, oa=oa)
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
