"""Windows, backoff and minute boundaries (Vietnam local time)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from domain.periods import TZ
from publisher.policy import backoff, in_window, next_minute, next_window_start, verify_delay


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def test_window_uses_local_time() -> None:
    assert in_window(local(26, 7), time(7), time(19, 30))
    assert in_window(local(26, 19, 30), time(7), time(19, 30))
    assert not in_window(local(26, 19, 31), time(7), time(19, 30))
    assert not in_window(local(26, 6, 59), time(7), time(19, 30))


def test_window_across_midnight() -> None:
    assert in_window(local(26, 23), time(22), time(6))
    assert in_window(local(26, 5), time(22), time(6))
    assert not in_window(local(26, 12), time(22), time(6))


def test_next_window_start_same_day_or_next_morning() -> None:
    assert next_window_start(local(26, 5), time(7), time(19, 30)) == local(26, 7)
    assert next_window_start(local(26, 20), time(7), time(19, 30)) == local(27, 7)
    inside = local(26, 12)
    assert next_window_start(inside, time(7), time(19, 30)) == inside


def test_next_minute_has_a_second_of_slack() -> None:
    at = datetime(2026, 11, 26, 3, 4, 59, 500000, tzinfo=UTC)
    assert next_minute(at) == datetime(2026, 11, 26, 3, 5, 1, tzinfo=UTC)


def test_backoff_doubles_and_caps() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [2, 4, 8]
    assert backoff(40) == timedelta(minutes=30)
    assert verify_delay(10) == timedelta(seconds=60)
