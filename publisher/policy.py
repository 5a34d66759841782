"""When to publish and when to try again (pure: times in, times out; local time = Vietnam)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from domain.periods import TZ, local_datetime, to_local

VERIFY_MAX_WAIT = timedelta(minutes=30)
RECONCILE_GRACE = timedelta(minutes=2)
LEASE = timedelta(minutes=5)


def in_window(at: datetime, start: time, end: time, /) -> bool:
    """True when the local time of `at` is within [start, end] (a window may cross midnight)."""
    local = to_local(at).time()
    if start <= end:
        return start <= local <= end
    return local >= start or local <= end


def next_window_start(at: datetime, start: time, end: time, /) -> datetime:
    """`at` itself if inside the window, otherwise the next local `start` (as aware UTC)."""
    if in_window(at, start, end):
        return at
    day = to_local(at).date()
    candidate = local_datetime(day, start)
    return candidate if candidate > at else local_datetime(day + timedelta(days=1), start)


def next_minute(now: datetime, /) -> datetime:
    """The start of the next minute (Zalo's -32 limit is per minute), plus a second of slack."""
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1, seconds=1)


def backoff(attempt: int, /, *, base: float = 2.0, cap: float = 1800.0) -> timedelta:
    """Exponential backoff: 2 s, 4 s, 8 s ... capped (30 minutes by default)."""
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempt - 1))))


def verify_delay(attempt: int, /) -> timedelta:
    """Waiting out -214 (article still processing): 2 s doubling to at most 60 s."""
    return backoff(attempt, base=2.0, cap=60.0)


def local_day(at: datetime, /) -> date:
    """The calendar day in Vietnam."""
    return to_local(at).date()


def day_bounds(day: date, /) -> tuple[datetime, datetime]:
    """[start, end) of a local day as aware UTC datetimes."""
    start = datetime.combine(day, time(0), TZ)
    return start, start + timedelta(days=1)
