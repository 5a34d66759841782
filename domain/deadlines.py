"""Monthly deadlines and the reminder ladder, in Asia/Ho_Chi_Minh (pure: no I/O).

A deadline is a day of the month (or "last") and a local time. A ladder is a list of steps, each
some days before the deadline or after it (overdue), each at its own local time. Steps that fall on
a weekend or a Vietnamese public holiday (Tết included, from the `holidays` package) move to the
previous working day, overdue steps to the next one, so a notice never fires on a day off and an
overdue notice never fires before the deadline.

Each scheduled step is *due* from its instant until the next step's instant (before-deadline
steps also stop at the deadline; the last step stays due for a catch-up window, 7 days by
default). At any instant at most one step per deadline is due, which is how "after
downtime only the latest due step is sent" falls out: the earlier ones are no longer due.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

import holidays

from domain.periods import TZ, month_bounds, next_period, parse_period, period_of, previous_period

LAST_DAY: Literal["last"] = "last"
DeadlineDay = int | Literal["last"]

_STEP = re.compile(r"^\s*([+-]?)(\d{1,2})\s*@\s*(\d{1,2})[:h](\d{2})\s*$")


@dataclass(frozen=True)
class DeadlineRule:
    """A monthly deadline: day of month (or "last") at a local time."""

    day: DeadlineDay = LAST_DAY
    at: time = time(17, 0)

    def __post_init__(self) -> None:
        if self.day != LAST_DAY and not (isinstance(self.day, int) and 1 <= self.day <= 31):
            raise ValueError(f"ngày hạn không hợp lệ: {self.day!r} (1-31 hoặc 'last')")

    def local_date(self, period: str) -> date:
        """The deadline's local date in `period`; day 31 in a 30-day month is the last day."""
        year, month = parse_period(period)
        last = calendar.monthrange(year, month)[1]
        day = last if self.day == LAST_DAY else min(int(self.day), last)
        return date(year, month, day)

    def for_period(self, period: str) -> datetime:
        """The deadline of `period` as an aware UTC datetime."""
        return _utc(self.local_date(period), self.at)


def parse_deadline_day(value: str | int) -> DeadlineDay:
    """Read "last" (or "cuối") or a day number 1-31."""
    if isinstance(value, int):
        return DeadlineRule(day=value).day
    text = value.strip().casefold()
    if text in {"last", "cuối", "cuoi"}:
        return LAST_DAY
    if not text.isdigit():
        raise ValueError(f"ngày hạn không hợp lệ: {value!r} (1-31 hoặc 'last')")
    return DeadlineRule(day=int(text)).day


@dataclass(frozen=True, order=True)
class Step:
    """One rung of the ladder: `days` before the deadline, or after it when `overdue`."""

    days: int
    at: time
    overdue: bool = False

    @property
    def name(self) -> str:
        """Stable key stored with each reminder, e.g. "before-7" or "overdue-1"."""
        return f"{'overdue' if self.overdue else 'before'}-{self.days}"


def parse_steps(text: str, *, overdue: bool = False) -> tuple[Step, ...]:
    """Parse "7@08:00,3@08:00,1@16:30" (days@HH:MM, comma-separated) into steps."""
    steps = []
    for chunk in filter(None, (part.strip() for part in text.split(","))):
        match = _STEP.match(chunk)
        hour, minute = (int(match.group(3)), int(match.group(4))) if match else (99, 99)
        if not match or hour > 23 or minute > 59:
            raise ValueError(f"bước nhắc không hợp lệ: {chunk!r} (dạng ngày@HH:MM, ví dụ 3@08:00)")
        days = int(match.group(2))
        if overdue and days < 1:
            raise ValueError(f"bước quá hạn phải sau hạn ít nhất 1 ngày: {chunk!r}")
        steps.append(Step(days=days, at=time(hour, minute), overdue=overdue))
    return tuple(steps)


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    """Which local days are working days (weekends, VN public holidays, manual overrides)."""

    skip_weekends: bool = True
    skip_holidays: bool = True
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """False on Saturday/Sunday, public holidays and extra days off (when skipping them)."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        if self.skip_weekends and day.weekday() >= 5:
            return False
        return not (self.skip_holidays and day in _vn_holidays(day.year))

    def shift(self, day: date, *, backwards: bool) -> date:
        """`day` itself when it is a working day, else the nearest one in the given direction."""
        step = timedelta(days=-1 if backwards else 1)
        for _ in range(60):  # Tết plus weekends is about 9 days; 60 guards bad overrides
            if self.is_working_day(day):
                return day
            day += step
        raise ValueError("không tìm được ngày làm việc trong 60 ngày")


NO_SHIFT = WorkCalendar(skip_weekends=False, skip_holidays=False)


@dataclass(frozen=True)
class ScheduledStep:
    """A step placed in time for one deadline; due in [at, until)."""

    key: str  # what the deadline is for: a month "YYYY-MM", or a campaign key
    step: Step
    at: datetime
    until: datetime
    deadline: datetime

    @property
    def name(self) -> str:
        return self.step.name

    def is_due(self, now: datetime) -> bool:
        return self.at <= now < self.until


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, TZ).astimezone(UTC)


def _place(
    step: Step, deadline: datetime, work: WorkCalendar, not_before: datetime | None
) -> datetime:
    local_day = deadline.astimezone(TZ).date()
    if step.overdue:
        return _utc(work.shift(local_day + timedelta(days=step.days), backwards=False), step.at)
    day = local_day - timedelta(days=step.days)
    at = _utc(work.shift(day, backwards=True), step.at)
    if not_before is not None and at < not_before:
        # Shifting back left the month (e.g. 2/9 and Tết near a month start): the next working
        # day is still before the deadline, so remind then rather than not at all.
        at = _utc(work.shift(day, backwards=False), step.at)
    return at


def build_ladder(
    key: str,
    deadline: datetime,
    steps: Iterable[Step],
    *,
    work: WorkCalendar = NO_SHIFT,
    not_before: datetime | None = None,
    expires: datetime | None = None,
    last_window: timedelta | None = None,
) -> list[ScheduledStep]:
    """Place `steps` around `deadline`, drop impossible ones, and give each its due window.

    Before-steps landing at or after the deadline, or before `not_before`, are dropped; overdue
    steps landing at or before the deadline are dropped. When two steps land on one instant the
    one nearer the deadline wins. The last step stays due until `expires` (default: 30 days).
    """
    placed: dict[datetime, Step] = {}
    for step in sorted(steps, key=lambda s: (s.overdue, -s.days if not s.overdue else s.days)):
        at = _place(step, deadline, work, not_before)
        if (at <= deadline) if step.overdue else (at >= deadline):
            continue
        if not_before is not None and at < not_before:
            continue
        placed[at] = step  # later in this order = nearer the deadline (before) / later (overdue)
    instants = sorted(placed)
    end = expires or deadline + timedelta(days=30)
    ladder = []
    for i, at in enumerate(instants):
        step = placed[at]
        until = instants[i + 1] if i + 1 < len(instants) else end
        if i + 1 == len(instants) and last_window is not None:
            until = min(until, at + last_window)
        if not step.overdue:
            until = min(until, deadline)
        ladder.append(ScheduledStep(key=key, step=step, at=at, until=until, deadline=deadline))
    return ladder


@dataclass(frozen=True)
class ReminderPlan:
    """Everything needed to place the monthly ladder: the deadline, the steps, the calendar."""

    deadline: DeadlineRule = field(default_factory=DeadlineRule)
    steps: tuple[Step, ...] = (
        Step(7, time(8, 0)),
        Step(3, time(8, 0)),
        Step(1, time(8, 0)),
        Step(1, time(8, 0), overdue=True),
    )
    work: WorkCalendar = field(default_factory=WorkCalendar)
    # How long the last step (the overdue notice) stays due after its time, so a restart a
    # few days late still sends it, but a first start-up does not chase long-gone months.
    catch_up: timedelta = timedelta(days=7)

    def ladder(self, period: str) -> list[ScheduledStep]:
        """The month's ladder: steps inside the month (before) or after the deadline (overdue).

        Before-steps before the month starts are dropped: a submission only counts for the month
        it is received in, so reminding earlier would ask for something that cannot count yet.
        """
        start, _ = month_bounds(period)
        _, next_end = month_bounds(next_period(period))
        return build_ladder(
            period,
            self.deadline.for_period(period),
            self.steps,
            work=self.work,
            not_before=start,
            expires=next_end,
            last_window=self.catch_up,
        )

    def due(self, now: datetime) -> list[ScheduledStep]:
        """The steps due at `now`: at most one per month (the latest one reached)."""
        current = period_of(now)
        periods = (previous_period(current), current, next_period(current))
        return [s for p in periods for s in self.ladder(p) if s.is_due(now)]

    def firing_on(self, day: date) -> list[ScheduledStep]:
        """Steps whose instant falls on local `day` (for previews)."""
        start, end = _utc(day, time(0)), _utc(day + timedelta(days=1), time(0))
        current = f"{day.year:04d}-{day.month:02d}"
        periods = (previous_period(current), current, next_period(current))
        return [s for p in periods for s in self.ladder(p) if start <= s.at < end]


def due_step(ladder: Sequence[ScheduledStep], now: datetime) -> ScheduledStep | None:
    """The one step of `ladder` due at `now`, if any."""
    return next((s for s in ladder if s.is_due(now)), None)


def campaign_ladder(
    key: str,
    deadline: datetime,
    steps: Iterable[Step],
    *,
    work: WorkCalendar = NO_SHIFT,
    starts: datetime | None = None,
) -> list[ScheduledStep]:
    """The registration campaign's ladder: before-steps only, none after its deadline."""
    before = [s for s in steps if not s.overdue]
    return build_ladder(key, deadline, before, work=work, not_before=starts, expires=deadline)


def days_left(now: datetime, deadline: datetime) -> int:
    """Whole local days from `now`'s date to the deadline's date (negative when past)."""
    return (deadline.astimezone(TZ).date() - now.astimezone(TZ).date()).days
