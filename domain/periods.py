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
_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\d/])")
_CLOCK = re.compile(
    r"(?<![\d/])(\d{1,2})(?:\s*(?:giờ|[:hg])\s*(\d{2})(?:\s*phút)?|\s*(?:giờ|h|g))"
    r"(?![\d/])"
)
_PART_OF_DAY = re.compile(r"\b(sáng|trưa|chiều|tối|đêm)\b")
_RELATIVE = {"hôm nay": 0, "nay": 0, "ngày mai": 1, "mai": 1, "ngày kia": 2, "ngày mốt": 2,
             "mốt": 2}  # fmt: skip
_RELATIVE_RE = re.compile(r"\b(" + "|".join(sorted(_RELATIVE, key=len, reverse=True)) + r")\b")
_WEEKDAYS = {"hai": 0, "ba": 1, "tư": 2, "năm": 3, "sáu": 4, "bảy": 5}
_WEEKDAY_RE = re.compile(r"\b(?:thứ\s*(hai|ba|tư|năm|sáu|bảy|[2-7])|(chủ nhật|cn))\b")
_NEXT_WEEK_RE = re.compile(r"\b(tuần sau|tuần tới)\b")
_FILLERS = re.compile(r"\b(lúc|vào|ngày|hôm)\b")
EXAMPLES = "8h sáng mai, 14h30 thứ Sáu, 08:00 {date}"


def time_examples(now: datetime) -> str:
    """Examples of publish times people may type, none of them in the past."""
    tomorrow = to_local(now).date() + timedelta(days=1)
    return EXAMPLES.format(date=tomorrow.strftime("%d/%m/%Y"))


def _take(pattern: re.Pattern[str], words: str) -> tuple[list[re.Match[str]], str]:
    found = list(pattern.finditer(words))
    return found, pattern.sub(" ", words)


def _hour(hour: int, part: str | None) -> int:
    """The 24-hour clock from "2h chiều", "12h trưa", "10h đêm"."""
    if part in ("chiều", "tối") and hour < 12:
        return hour + 12
    if part == "trưa" and hour < 11:
        return hour + 12
    if part == "đêm":
        return hour + 12 if 6 <= hour < 12 else (0 if hour == 12 else hour)
    return hour


def _weekday(match: re.Match[str]) -> int:
    if match.group(2):
        return 6  # chủ nhật
    word = match.group(1)
    return int(word) - 2 if word.isdigit() else _WEEKDAYS[word]


def parse_local_time(text: str, *, now: datetime) -> datetime | None:
    """An editor's publish slot in Vietnamese writing, as aware UTC; None means "now".

    Accepts "ngay" (now); a time "08:00", "8h", "8h30", "14 giờ 30", with "sáng", "trưa",
    "chiều", "tối", "đêm"; a day "27/11/2026", "27/11" (this year, or next if already past),
    "hôm nay", "mai", "ngày kia", "thứ Sáu", "thứ 6", "chủ nhật" (the next one, "tuần sau" for
    the one in next week); "lúc", "vào", "ngày" may stand between ("lúc 08:00 ngày 27/11/2026",
    as the system writes it). Without a day: today, or tomorrow if the time has passed.
    Raises ValueError with a Vietnamese explanation otherwise.
    """
    words = " ".join(text.strip().lower().replace(",", " ").split())
    if words in _NOW_WORDS:
        return None
    dates, rest = _take(_DATE, words)
    clocks, rest = _take(_CLOCK, rest)
    parts, rest = _take(_PART_OF_DAY, rest)
    relative, rest = _take(_RELATIVE_RE, rest)
    weekdays, rest = _take(_WEEKDAY_RE, rest)
    next_week, rest = _take(_NEXT_WEEK_RE, rest)
    _, rest = _take(_FILLERS, rest)
    days_named = len(dates) + len(relative) + len(weekdays)
    if (
        rest.strip()
        or len(clocks) != 1
        or days_named > 1
        or len(parts) > 1
        or (next_week and not weekdays)
    ):
        raise ValueError(
            f"không hiểu «{text.strip()}»; hãy viết như {time_examples(now)} hoặc «ngay»"
        )
    clock = clocks[0]
    minute_text = clock.group(2) or "0"
    local_now = to_local(now)
    today = local_now.date()
    try:
        hour = _hour(int(clock.group(1)), parts[0].group(1) if parts else None)
        at = time(hour, int(minute_text))
        if dates:
            day_text, month_text, year_text = dates[0].groups()
            year = int(year_text) if year_text else local_now.year
            day = date(year, int(month_text), int(day_text))
            if not year_text and datetime.combine(day, at, TZ) < local_now:
                day = date(year + 1, day.month, day.day)
        elif relative:
            day = today + timedelta(days=_RELATIVE[relative[0].group(1)])
        elif weekdays:
            wanted = _weekday(weekdays[0])
            if next_week:
                day = today + timedelta(days=7 - today.weekday() + wanted)
            else:
                day = today + timedelta(days=(wanted - today.weekday()) % 7)
                if datetime.combine(day, at, TZ) < local_now:
                    day += timedelta(days=7)
        else:
            day = today
            if datetime.combine(day, at, TZ) < local_now:
                day = day + timedelta(days=1)
    except ValueError as exc:
        raise ValueError(f"ngày giờ «{text.strip()}» không có thật") from exc
    result = datetime.combine(day, at, TZ)
    if result < local_now:
        raise ValueError(f"thời điểm «{text.strip()}» đã qua")
    return result.astimezone(UTC)
