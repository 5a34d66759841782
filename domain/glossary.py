"""One vocabulary for every surface (bot, mail, cards, reports, CLI): the terms, the words never
to use instead, the status and kind labels, the one "no title" placeholder and the one way to
write a date and time (local time, Asia/Ho_Chi_Minh).

README ("Who speaks") explains the names; tests/unit/domain/test_glossary.py holds every
user-facing text to them.
"""

from __future__ import annotations

from datetime import datetime

from domain.periods import parse_period, to_local

# --- the preferred terms (use) and what they replace (instead of) ------------------------------
# Each entry: a word or phrase never to write in a user-facing text -> the term to use.
# Matching is case-insensitive on whole words.
INSTEAD_OF: dict[str, str] = {
    "tin, bài tuyên truyền": "tin, bài",
    "bài gửi": "tin, bài",
    "nộp bài": "gửi tin, bài",
    "Quý đơn vị": "Quý cơ quan, đơn vị",
    "cán bộ phụ trách": "cán bộ đầu mối",
    "cán bộ truyền thông": "cán bộ đầu mối truyền thông",
    "đầu mối truyền thông chính sách": "cán bộ đầu mối truyền thông",
    "Ban biên tập": "Ban Biên tập",  # case-sensitive: the body is written with capitals
    "yêu cầu sửa": "đề nghị chỉnh sửa",
    "yêu cầu chỉnh sửa": "đề nghị chỉnh sửa",
    "không duyệt": "không được duyệt / từ chối",
    "Chờ biên tập": "Chờ duyệt",
    "Đăng lỗi": "Đăng không thành công",
    "bài đang soạn": "bản nháp",
    "thẻ": "phiếu duyệt",
    "broadcast": "gửi tin tới người quan tâm",
    "e-mail": "thư điện tử (prose), Email (label)",
    "link": "đường liên kết",
    "là trễ hạn": "trễ hạn",
    "không tiêu đề": "(chưa có tiêu đề)",
    "không có tiêu đề": "(chưa có tiêu đề)",
    "Bạn": "đồng chí",
    "Newsdesk": "the Department's and the OA's names (settings)",
}
# Phrases compared with their case as written (the others ignore case).
CASE_SENSITIVE: frozenset[str] = frozenset({"Ban biên tập", "Quý đơn vị", "Chờ biên tập", "Bạn"})

# English status names a person must never read.
ENGLISH_STATUSES: tuple[str, ...] = (
    "pending_review",
    "changes_requested",
    "approved",
    "rejected",
    "scheduled",
    "publishing",
    "published",
    "publish_failed",
    "quarantined",
    "withdrawn",
    "queued",
)

# --- status labels (keys: domain.states.SubmissionStatus values) --------------------------------
STATUS_LABELS: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "quarantined": "Chờ xác minh người gửi",
    "pending_review": "Chờ duyệt",
    "changes_requested": "Cần chỉnh sửa",
    "approved": "Đã duyệt",
    "rejected": "Không được duyệt",
    "scheduled": "Đã hẹn giờ đăng",
    "publishing": "Đang đăng",
    "published": "Đã đăng",
    "publish_failed": "Đăng không thành công",
    "withdrawn": "Đã rút",
}

# --- publication status labels (keys: domain.states.PublicationStatus values): CLI, console -----
PUBLICATION_STATUS_LABELS: dict[str, str] = {
    "queued": "Chờ đăng",
    "creating": "Đang tạo bài",
    "created": "Đã tạo bài, chờ xác nhận",
    "verified": "Đã xác nhận bài",
    "broadcasting": "Đang gửi tin tới người quan tâm",
    "broadcast": "Đã gửi tin tới người quan tâm",
    "published": "Đã đăng",
    "failed": "Đăng không thành công",
    "removed": "Đã gỡ",
}

# --- kind labels (keys: domain.kinds.SubmissionKind values): card, receipt, CLI alike ----------
KIND_LABELS: dict[str, str] = {
    "news": "Tin",
    "article": "Bài viết",
    "image": "Hình ảnh",
    "poster": "Poster, infographic",
    "video": "Video",
    "other": "Khác",
}

# --- the one placeholder for an item without a title --------------------------------------------
NO_TITLE = "(chưa có tiêu đề)"

# --- the sender: the office, never the software -------------------------------------------------
SIGN_OFF = "Trân trọng,\nBan Biên tập Trang Zalo OA “{oa}”\n{department}"
TO_OFFICER = "Kính gửi đồng chí {officer} ({unit}),"
TO_UNIT = "Kính gửi Quý cơ quan, đơn vị,"


def sign_off(*, oa: str, department: str) -> str:
    """The closing of every mail: "Trân trọng," and who writes (from settings)."""
    return SIGN_OFF.format(oa=oa, department=department)


def salutation(*, officer: str | None, unit: str | None) -> str:
    """To the registered officer by name when known, otherwise to the unit as a body."""
    if officer and unit:
        return TO_OFFICER.format(officer=officer, unit=unit)
    return TO_UNIT


# --- dates and times: one format, local time ----------------------------------------------------


def fmt_time(at: datetime) -> str:
    """08:30 ngày 25/11/2026 (local time): a moment as every surface writes it."""
    return to_local(at).strftime("%H:%M ngày %d/%m/%Y")


def fmt_at(at: datetime) -> str:
    """lúc 08:30 ngày 25/11/2026 (local time): a moment in running text."""
    return "lúc " + fmt_time(at)


def fmt_date(at: datetime) -> str:
    """25/11/2026 (local date)."""
    return to_local(at).strftime("%d/%m/%Y")


def fmt_month(period: str) -> str:
    """ "2026-11" as "11/2026"."""
    year, month = parse_period(period)
    return f"{month:02d}/{year}"
