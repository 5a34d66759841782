"""Months and local time: stored in UTC, computed in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def to_local(at: datetime) -> datetime:
    """An aware datetime in Vietnam's time zone."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: store and pass aware UTC datetimes")
    return at.astimezone(TZ)


def period_of(at: datetime) -> str:
    """The reporting month ("YYYY-MM") an instant belongs to, in local time."""
    local = to_local(at)
    return f"{local.year:04d}-{local.month:02d}"


def parse_period(period: str) -> tuple[int, int]:
    """Split "YYYY-MM" into (year, month), refusing anything else."""
    match = _PERIOD.match(period.strip())
    if not match:
        raise ValueError(f"tháng không hợp lệ: {period!r} (cần dạng YYYY-MM, ví dụ 2024-07)")
    return int(match.group(1)), int(match.group(2))


_MONTH_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{4})$")


def period_from_text(text: str) -> str:
    """A month as people write it, "12/2026", "12-2026" or "2026-12", as "YYYY-MM"."""
    value = text.strip()
    match = _MONTH_FIRST.match(value)
    if match and 1 <= int(match.group(1)) <= 12:
        return f"{int(match.group(2)):04d}-{int(match.group(1)):02d}"
    if _PERIOD.match(value):
        return value
    raise ValueError(f"tháng không hợp lệ: {text!r} (ví dụ 12/2026 hoặc 2026-12)")


def next_period(period: str) -> str:
    """The month after `period`."""
    year, month = parse_period(period)
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_period(period: str) -> str:
    """The month before `period`."""
    year, month = parse_period(period)
    if month == 1:
        return f"{year - 1:04d}-12"
    return f"{year:04d}-{month - 1:02d}"


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of a local month as aware UTC datetimes."""
    year, month = parse_period(period)
    start = datetime.combine(date(year, month, 1), time(0), TZ)
    ny, nm = parse_period(next_period(period))
    end = datetime.combine(date(ny, nm, 1), time(0), TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_datetime(day: date, at: time) -> datetime:
    """A local wall-clock moment as an aware UTC datetime."""
    return datetime.combine(day, at, TZ).astimezone(UTC)


_NOW_WORDS = {"ngay", "ngay lập tức", "bây giờ", "now", "asap", "đăng ngay"}
_TIME = re.compile(r"^(\d{1,2})[:hg](\d{2})$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")


def parse_local_time(text: str, *, now: datetime) -> datetime | None:
    """An editor's publish slot in Vietnamese writing, as aware UTC; None means "now".

    Accepts "ngay" (now), "08:00 27/11/2026", "27/11/2026 08:00", "27/11 08:00" (this year, or
    next if already past), "08:00" (today, or tomorrow if already past). Raises ValueError with
    a Vietnamese explanation otherwise.
    """
    words = " ".join(text.strip().lower().split())
    if words in _NOW_WORDS:
        return None
    parts = words.replace(",", " ").split()
    times = [p for p in parts if _TIME.match(p)]
    dates = [p for p in parts if _DATE.match(p)]
    if len(times) != 1 or len(dates) > 1 or len(times) + len(dates) != len(parts):
        raise ValueError(
            f"không hiểu thời điểm {text!r}: hãy viết như 08:00 27/11/2026, 08:00, hoặc «ngay»"
        )
    hour_text, minute_text = _TIME.match(times[0]).groups()  # type: ignore[union-attr]
    local_now = to_local(now)
    try:
        at = time(int(hour_text), int(minute_text))
        if dates:
            day_text, month_text, year_text = _DATE.match(dates[0]).groups()  # type: ignore[union-attr]
            year = int(year_text) if year_text else local_now.year
            day = date(year, int(month_text), int(day_text))
            if not year_text and datetime.combine(day, at, TZ) < local_now:
                day = date(year + 1, day.month, day.day)
        else:
            day = local_now.date()
            if datetime.combine(day, at, TZ) < local_now:
                day = day + timedelta(days=1)
    except ValueError as exc:
        raise ValueError(f"ngày giờ không hợp lệ: {text!r}") from exc
    result = datetime.combine(day, at, TZ)
    if result < local_now:
        raise ValueError(f"thời điểm {text!r} đã qua")
    return result.astimezone(UTC)
