"""Months and local time: stored in UTC, computed in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
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
