"""Every Vietnamese text of reminders, the officer-registration campaign and the daily digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import glossary
from domain.deadlines import days_left
from domain.glossary import fmt_date, fmt_month, fmt_time
from domain.periods import period_of
from reports.texts import fmt_count
from settings import DEFAULT_DEPARTMENT, DEFAULT_DOCUMENT_REF, DEFAULT_OA_NAME

# The same text goes by email and by Telegram (where writing to the bot is how officers submit),
# so the sign-off must not say "do not reply". The sender is the office, never the software.
SIGN_OFF = glossary.SIGN_OFF
# The obligation, citing the document that sets it (settings: org.document_ref).
WHAT_IS_DUE = (
    "Thực hiện {document}, mỗi cơ quan, đơn vị có trách nhiệm gửi ít nhất 01 sản phẩm truyền "
    "thông chính sách mỗi tháng (tin, bài viết, hình ảnh, poster, infographic hoặc video) để "
    "đăng trên Trang Zalo OA “{oa}”."
)


@dataclass(frozen=True)
class SentItem:
    """Something the unit sent this month, as the reminder lists it."""

    code: str
    title: str
    status: str  # a Vietnamese status label


@dataclass(frozen=True)
class HowToSubmit:
    """Where officers send things (from settings)."""

    mailbox: str = ""
    bot_link: str = ""
    department: str = DEFAULT_DEPARTMENT  # who signs (settings: org.department_name)
    oa_name: str = DEFAULT_OA_NAME  # settings: zalo.oa_name
    document: str = DEFAULT_DOCUMENT_REF  # settings: org.document_ref

    @property
    def sign_off(self) -> str:
        return glossary.sign_off(oa=self.oa_name, department=self.department)

    @property
    def what_is_due(self) -> str:
        return WHAT_IS_DUE.format(document=self.document, oa=self.oa_name)


# --- monthly reminders ---------------------------------------------------------------------------


def reminder_subject(*, period: str, deadline: datetime, overdue: bool, sent: bool = False) -> str:
    """The subject; overdue, a unit that sent items that do not count is told that, never that
    it sent nothing."""
    month = fmt_month(period)
    if overdue and sent:
        return f"Đơn vị chưa có tin, bài đạt yêu cầu tháng {month} (đã quá hạn)"
    if overdue:
        return f"Đơn vị chưa gửi tin, bài tháng {month} (đã quá hạn)"
    return f"Đề nghị gửi tin, bài tháng {month} (hạn: {fmt_time(deadline)})"


def salutation(unit_name: str, officer: str | None) -> str:
    """To the officer by name when there is one, else to the unit by its name."""
    if officer:
        return glossary.TO_OFFICER.format(officer=officer, unit=unit_name)
    return f"Kính gửi: {unit_name},"


def _when(*, period: str, deadline: datetime, now: datetime, overdue: bool) -> str:
    if not overdue:
        left = days_left(now, deadline)
        remaining = "hạn là hôm nay" if left <= 0 else f"còn {left} ngày"
        return f"Hạn gửi: {fmt_time(deadline)} ({remaining})."
    if period_of(now) == period:
        return (
            f"Hạn gửi {fmt_time(deadline)} đã qua. Đề nghị đơn vị gửi ngay: tin, bài gửi "
            f"trong tháng {fmt_month(period)} vẫn được ghi nhận nhưng trễ hạn."
        )
    return (
        f"Hạn gửi {fmt_time(deadline)} đã qua và tháng {fmt_month(period)} đã kết thúc; "
        f"báo cáo tháng {fmt_month(period)} ghi đơn vị chưa đạt. Đề nghị đơn vị chủ động gửi "
        f"tin, bài tháng {fmt_month(period_of(now))}."
    )


def _sent_so_far(period: str, sent: Sequence[SentItem]) -> list[str]:
    if not sent:
        return [f"Trong tháng {fmt_month(period)} đơn vị chưa gửi tin, bài nào."]
    lines = [f"Tin, bài đơn vị đã gửi trong tháng {fmt_month(period)}, chưa có tin, bài đạt:"]
    lines += [f"  • {item.code} «{item.title}» – {item.status}" for item in sent]
    return lines


def _how_to_submit(how: HowToSubmit) -> list[str]:
    lines = ["Cách gửi:"]
    if how.mailbox:
        lines.append(f"  • Email: gửi thư (nội dung và tệp đính kèm) tới {how.mailbox}")
    if how.bot_link:
        lines.append(f"  • Telegram: gửi qua bot {how.bot_link}")
    return lines if len(lines) > 1 else []


def reminder_body(
    *,
    unit_name: str,
    period: str,
    deadline: datetime,
    now: datetime,
    overdue: bool,
    sent: Sequence[SentItem],
    how: HowToSubmit,
    officer: str | None = None,
) -> str:
    """The reminder for one unit (to its officer by name when known): what is due, by when,
    how to submit, what was sent so far."""
    # One statement of where the unit stands: never "chưa gửi" for a unit that did send.
    status = "chưa có tin, bài đạt yêu cầu" if sent else "chưa gửi tin, bài"
    lines = [
        salutation(unit_name, officer),
        "",
        how.what_is_due,
        "",
        f"Đơn vị {status} tháng {fmt_month(period)}.",
        _when(period=period, deadline=deadline, now=now, overdue=overdue),
        "",
        *_sent_so_far(period, sent),
        "",
        *_how_to_submit(how),
        "",
        how.sign_off,
    ]
    return "\n".join(lines).replace("\n\n\n", "\n\n")


# --- the officer-registration campaign -----------------------------------------------------------


def registration_subject(*, deadline: datetime) -> str:
    return f"Đề nghị đăng ký cán bộ đầu mối truyền thông (hạn: {fmt_date(deadline)})"


def _how_to_register(invite_link: str) -> list[str]:
    if invite_link.startswith("http"):
        return [
            "Cách đăng ký: cán bộ mở liên kết sau trên Telegram và làm theo hướng dẫn:",
            f"  {invite_link}",
        ]
    return [
        f"Cách đăng ký: cán bộ gửi lệnh /start {invite_link} cho bot Telegram của Ban Biên tập."
    ]


def registration_body(
    *, unit_name: str, deadline: datetime, now: datetime, invite_link: str, mailbox: str,
    sign_off: str,
) -> str:  # fmt: skip
    """Ask a unit without an active officer to register one, with its invite link."""
    left = days_left(now, deadline)
    remaining = "hạn là hôm nay" if left <= 0 else f"còn {left} ngày"
    lines = [
        f"Kính gửi: {unit_name},",
        "",
        "Đơn vị chưa đăng ký cán bộ đầu mối truyền thông với Ban Biên tập. Đề nghị đơn vị "
        "cử cán bộ đầu mối và đăng ký họ tên, chức vụ, số điện thoại "
        f"trước {fmt_time(deadline)} ({remaining}).",
        "",
        *_how_to_register(invite_link),
    ]
    if mailbox:
        lines.append(
            f"Sau khi đăng ký, cán bộ gửi tin, bài qua bot hoặc thư điện tử tới {mailbox}."
        )
    lines += [
        "",
        "Thông tin cán bộ chỉ dùng để Ban Biên tập liên hệ về việc gửi tin, bài; không công khai.",
        "",
        sign_off,
    ]
    return "\n".join(lines)


# --- the daily digest ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingItem:
    code: str
    unit_name: str
    title: str
    waiting: timedelta


@dataclass(frozen=True)
class FailedItem:
    code: str
    unit_name: str
    title: str
    error: str


def fmt_duration(delta: timedelta) -> str:
    """ "2 ngày 4 giờ", "3 giờ 15 phút", "5 phút"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {mins} phút" if mins else f"{hours} giờ"
    return f"{mins} phút"


DIGEST_SHOWN = 10
MISSING_SHOWN = 30


def _more(count: int) -> list[str]:
    return [f"  … và {count - DIGEST_SHOWN} mục khác"] if count > DIGEST_SHOWN else []


def _missing_line(
    period: str, deadline: datetime, missing: Sequence[str], total_units: int
) -> str:
    month = fmt_month(period)
    if not missing:
        return f"✅ Tất cả {total_units} đơn vị đã gửi tin, bài tháng {month}."
    names = ", ".join(missing[:MISSING_SHOWN])
    if len(missing) > MISSING_SHOWN:
        names += f" … và {len(missing) - MISSING_SHOWN} đơn vị khác"
    return (
        f"📭 Chưa gửi tháng {month}: {len(missing)}/{total_units} đơn vị "
        f"(hạn {fmt_time(deadline)}): {names}"
    )


def digest(
    *,
    now: datetime,
    period: str,
    deadline: datetime,
    waiting: Sequence[WaitingItem],
    failed: Sequence[FailedItem],
    missing: Sequence[str],
    total_units: int,
) -> str:
    """The editors' morning digest."""
    lines = [f"🗞 Bản tin ngày {fmt_date(now)}", ""]
    if waiting:
        longest = fmt_duration(max(w.waiting for w in waiting))
        lines.append(f"⏳ Chờ duyệt: {len(waiting)} (lâu nhất {longest})")
        lines += [
            f"  • {w.code} · {w.unit_name} · «{w.title}» · chờ {fmt_duration(w.waiting)}"
            for w in waiting[:DIGEST_SHOWN]
        ] + _more(len(waiting))
    else:
        lines.append("⏳ Không có tin, bài chờ duyệt.")
    if failed:
        lines.append(f"⚠️ Đăng không thành công: {len(failed)}")
        lines += [
            f"  • {f.code} · {f.unit_name} · «{f.title}» · {f.error}"
            for f in failed[:DIGEST_SHOWN]
        ] + _more(len(failed))
    lines.append(_missing_line(period, deadline, missing, total_units))
    return "\n".join(lines)


# --- the officers' monthly reach message ---------------------------------------------------------


def reach_subject(*, period: str) -> str:
    return f"Tin, bài của đơn vị trên Trang Zalo OA tháng {fmt_month(period)}"


def reach_body(
    *, unit_name: str, period: str, articles: int, views: int, how: HowToSubmit,
    officer: str | None = None,
) -> str:  # fmt: skip
    """How often the unit's articles of the month were read: its own figure, no ranking
    (to the officer by name when known)."""
    month = fmt_month(period)
    read = (
        f"Trong tháng {month}, {fmt_count(articles)} tin, bài của đơn vị đăng trên Trang Zalo OA "
        f"“{how.oa_name}” đã có {fmt_count(views)} lượt xem."
    )
    thanks = (
        "Cảm ơn đơn vị đã gửi tin, bài: mỗi sản phẩm giúp người dân tiếp cận chính sách "
        "nhanh và đúng hơn."
    )
    return "\n".join([salutation(unit_name, officer), "", read, thanks, "", how.sign_off])
