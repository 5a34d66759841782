"""The monthly deadline, the reminder ladder and shifting off weekends and VN holidays."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.deadlines import (
    LAST_DAY,
    NO_SHIFT,
    DeadlineRule,
    ReminderPlan,
    Step,
    WorkCalendar,
    campaign_ladder,
    days_left,
    due_step,
    parse_deadline_day,
    parse_steps,
)
from domain.periods import TZ

STEPS = parse_steps("7@08:00,3@08:00,1@08:00") + parse_steps("1@08:00", overdue=True)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def placed(plan: ReminderPlan, period: str) -> list[tuple[str, datetime]]:
    return [(s.name, s.at.astimezone(TZ)) for s in plan.ladder(period)]


def plan(day: int | str = LAST_DAY, *, work: WorkCalendar | None = None) -> ReminderPlan:
    rule = DeadlineRule(day=parse_deadline_day(day), at=time(17, 0))
    return ReminderPlan(deadline=rule, steps=STEPS, work=work or WorkCalendar())


# --- the deadline itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        (31, "2024-02", date(2024, 2, 29)),  # leap year
        (31, "2025-02", date(2025, 2, 28)),
        (30, "2025-02", date(2025, 2, 28)),
        (31, "2024-04", date(2024, 4, 30)),
        (31, "2024-07", date(2024, 7, 31)),
        (LAST_DAY, "2024-02", date(2024, 2, 29)),
        (LAST_DAY, "2024-06", date(2024, 6, 30)),
        (LAST_DAY, "2024-12", date(2024, 12, 31)),
        (19, "2024-07", date(2024, 7, 19)),
        (1, "2025-01", date(2025, 1, 1)),
    ],
)
def test_deadline_date_clamps_to_the_month(day: int | str, period: str, expected: date) -> None:
    rule = DeadlineRule(day=parse_deadline_day(day))
    assert rule.local_date(period) == expected


def test_deadline_is_local_time_stored_utc() -> None:
    rule = DeadlineRule(day=19, at=time(17, 0))
    assert rule.for_period("2024-07") == datetime(2024, 7, 19, 10, 0, tzinfo=UTC)


def test_deadline_at_midnight_local_is_the_previous_utc_day() -> None:
    rule = DeadlineRule(day=1, at=time(0, 30))
    assert rule.for_period("2024-08") == datetime(2024, 7, 31, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["0", "32", "-1", "cuối tháng", "x", ""])
def test_bad_deadline_days_are_refused_in_vietnamese(value: str) -> None:
    with pytest.raises(ValueError, match="ngày hạn không hợp lệ"):
        parse_deadline_day(value)


@pytest.mark.parametrize("value", ["last", "LAST", " cuối ", "cuoi"])
def test_last_day_spellings(value: str) -> None:
    assert parse_deadline_day(value) == LAST_DAY


# --- parsing steps ---------------------------------------------------------------------------


def test_parse_steps_reads_days_and_local_times() -> None:
    assert parse_steps("7@08:00, 3@8h30 ,1@16:45") == (
        Step(7, time(8, 0)),
        Step(3, time(8, 30)),
        Step(1, time(16, 45)),
    )
    assert parse_steps("2@09:15", overdue=True) == (Step(2, time(9, 15), overdue=True),)
    assert [s.name for s in STEPS] == ["before-7", "before-3", "before-1", "overdue-1"]


@pytest.mark.parametrize("text", ["7", "7@25:00", "7@08:60", "a@08:00", "7@08"])
def test_parse_steps_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="bước nhắc không hợp lệ"):
        parse_steps(text)


def test_overdue_step_must_be_after_the_deadline_day() -> None:
    with pytest.raises(ValueError, match="bước quá hạn"):
        parse_steps("0@08:00", overdue=True)


# --- the calendar ----------------------------------------------------------------------------


def test_tet_2025_and_national_days_are_days_off() -> None:
    work = WorkCalendar()
    tet = [date(2025, 1, 27) + timedelta(days=i) for i in range(6)]  # 27/1 .. 1/2
    assert [work.is_working_day(d) for d in tet] == [False] * 6
    assert not work.is_working_day(date(2024, 9, 2))
    assert not work.is_working_day(date(2024, 9, 3))
    assert not work.is_working_day(date(2025, 4, 30))
    assert not work.is_working_day(date(2025, 5, 1))
    assert work.is_working_day(date(2025, 2, 3))  # Monday after Tết
    assert not work.is_working_day(date(2024, 7, 20))  # Saturday


def test_manual_overrides_win() -> None:
    work = WorkCalendar(
        extra_days_off=frozenset({date(2024, 7, 15)}),
        extra_working_days=frozenset({date(2025, 4, 26)}),  # compensatory working Saturday
    )
    assert not work.is_working_day(date(2024, 7, 15))
    assert work.is_working_day(date(2025, 4, 26))


def test_shift_goes_to_the_previous_or_next_working_day() -> None:
    work = WorkCalendar()
    assert work.shift(date(2025, 1, 30), backwards=True) == date(2025, 1, 24)
    assert work.shift(date(2025, 1, 30), backwards=False) == date(2025, 2, 3)
    assert work.shift(date(2024, 7, 19), backwards=True) == date(2024, 7, 19)


# --- the ladder ------------------------------------------------------------------------------


def test_plain_ladder_july_2024() -> None:
    """19/7/2024 is a Friday: 12/7 Fri, 16/7 Tue, 18/7 Thu; overdue Sat 20/7 moves to Mon 22/7."""
    assert placed(plan(19), "2024-07") == [
        ("before-7", local(2024, 7, 12, 8)),
        ("before-3", local(2024, 7, 16, 8)),
        ("before-1", local(2024, 7, 18, 8)),
        ("overdue-1", local(2024, 7, 22, 8)),
    ]


def test_without_shifting_weekends_are_kept() -> None:
    assert placed(plan(19, work=NO_SHIFT), "2024-07")[-1] == ("overdue-1", local(2024, 7, 20, 8))


def test_weekend_steps_move_to_the_previous_working_day() -> None:
    """25/8/2024 is a Sunday: 18/8 Sun -> Fri 16/8, 24/8 Sat -> Fri 23/8."""
    assert placed(plan(25), "2024-08") == [
        ("before-7", local(2024, 8, 16, 8)),
        ("before-3", local(2024, 8, 22, 8)),
        ("before-1", local(2024, 8, 23, 8)),
        ("overdue-1", local(2024, 8, 26, 8)),
    ]


def test_tet_2025_collapses_the_ladder_onto_the_last_working_day_before() -> None:
    """Deadline 31/1/2025 falls in Tết (27/1-1/2): 3 and 1 days before both land on Fri 24/1,
    where the nearer step wins; the overdue notice waits for Monday 3/2."""
    assert placed(plan(LAST_DAY), "2025-01") == [
        ("before-1", local(2025, 1, 24, 8)),
        ("overdue-1", local(2025, 2, 3, 8)),
    ]


def test_tet_2025_early_february_deadline_reminds_after_tet() -> None:
    """Deadline Wed 5/2/2025: 7 days before is in January (dropped); 3 before (Sun 2/2) cannot
    move back without leaving February, so it moves forward to Mon 3/2."""
    assert placed(plan(5), "2025-02") == [
        ("before-3", local(2025, 2, 3, 8)),
        ("before-1", local(2025, 2, 4, 8)),
        ("overdue-1", local(2025, 2, 6, 8)),
    ]


def test_national_day_2_9_2024() -> None:
    """Deadline Tue 10/9/2024; 2-3/9 are holidays: 7 before (3/9) moves forward to Wed 4/9
    because moving back would leave September; 3 before (Sat 7/9) moves back to Fri 6/9."""
    assert placed(plan(10), "2024-09") == [
        ("before-7", local(2024, 9, 4, 8)),
        ("before-3", local(2024, 9, 6, 8)),
        ("before-1", local(2024, 9, 9, 8)),
        ("overdue-1", local(2024, 9, 11, 8)),
    ]


def test_reunification_day_30_4_2025() -> None:
    """Deadline Wed 30/4/2025 (a holiday itself, kept as configured): 3 before (Sun 27/4) ->
    Fri 25/4; overdue 1/5 (holiday), 2/5 (substitute day off), weekend -> Mon 5/5."""
    assert placed(plan(LAST_DAY), "2025-04") == [
        ("before-7", local(2025, 4, 23, 8)),
        ("before-3", local(2025, 4, 25, 8)),
        ("before-1", local(2025, 4, 29, 8)),
        ("overdue-1", local(2025, 5, 5, 8)),
    ]


def test_deadline_day_step_before_the_deadline_time() -> None:
    steps = parse_steps("0@08:00,0@18:00")  # 18:00 is after the 17:00 deadline: dropped
    ladder = ReminderPlan(deadline=DeadlineRule(day=19), steps=steps, work=NO_SHIFT)
    assert placed(ladder, "2024-07") == [("before-0", local(2024, 7, 19, 8))]


def test_month_end_deadline_overdue_crosses_into_next_month() -> None:
    """Deadline 31/7/2024 (Wed); overdue on Thu 1/8 is still July's notice."""
    ladder = plan(LAST_DAY).ladder("2024-07")
    assert ladder[-1].key == "2024-07"
    assert ladder[-1].at.astimezone(TZ) == local(2024, 8, 1, 8)
    assert ladder[-1].until == local(2024, 8, 8, 8).astimezone(UTC)  # 7-day catch-up window


# --- which step is due -----------------------------------------------------------------------


def due_names(p: ReminderPlan, now: datetime) -> list[tuple[str, str]]:
    return [(s.key, s.name) for s in p.due(now.astimezone(UTC))]


def test_due_step_windows() -> None:
    p = plan(19)
    assert due_names(p, local(2024, 7, 12, 7, 59)) == []  # June's overdue window is over
    assert due_names(p, local(2024, 6, 27, 7, 59)) == [("2024-06", "overdue-1")]
    assert ("2024-07", "before-7") in due_names(p, local(2024, 7, 12, 8))
    assert ("2024-07", "before-7") in due_names(p, local(2024, 7, 16, 7, 59))
    assert ("2024-07", "before-3") in due_names(p, local(2024, 7, 16, 8))
    assert ("2024-07", "before-1") in due_names(p, local(2024, 7, 19, 16, 59))
    july = [n for k, n in due_names(p, local(2024, 7, 19, 17)) if k == "2024-07"]
    assert july == []  # between the deadline and the overdue notice nothing is due
    assert ("2024-07", "overdue-1") in due_names(p, local(2024, 7, 22, 8))
    assert ("2024-07", "overdue-1") in due_names(p, local(2024, 7, 29, 7, 59))
    assert ("2024-07", "overdue-1") not in due_names(p, local(2024, 7, 29, 8))


def test_after_downtime_only_the_latest_step_is_due() -> None:
    """Down from 11/7 to 17/7 10:00: before-7 and before-3 both passed, only before-3 is due."""
    ladder = plan(19).ladder("2024-07")
    now = local(2024, 7, 17, 10).astimezone(UTC)
    step = due_step(ladder, now)
    assert step is not None
    assert step.name == "before-3"
    assert [s.name for s in ladder if s.is_due(now)] == ["before-3"]


def test_month_boundary_in_utc() -> None:
    """31/7 17:30 UTC is already 1/8 00:30 in Vietnam."""
    p = plan(LAST_DAY)
    now = datetime(2024, 7, 31, 17, 30, tzinfo=UTC)
    assert due_names(p, now) == []  # July's deadline passed, overdue at 08:00, August's not yet
    assert due_names(p, now + timedelta(hours=8)) == [("2024-07", "overdue-1")]


def test_firing_on_lists_the_steps_of_a_local_day() -> None:
    p = plan(LAST_DAY)
    assert [(s.key, s.name) for s in p.firing_on(date(2025, 1, 24))] == [("2025-01", "before-1")]
    assert [(s.key, s.name) for s in p.firing_on(date(2025, 2, 3))] == [("2025-01", "overdue-1")]
    assert p.firing_on(date(2025, 1, 28)) == []


def test_campaign_ladder_stops_at_its_deadline() -> None:
    deadline = local(2024, 7, 19, 17).astimezone(UTC)
    steps = parse_steps("5@08:00,2@08:00") + parse_steps("1@08:00", overdue=True)
    ladder = campaign_ladder("dang-ky", deadline, steps, work=WorkCalendar())
    assert [(s.name, s.at.astimezone(TZ)) for s in ladder] == [
        ("before-5", local(2024, 7, 12, 8)),
        ("before-2", local(2024, 7, 17, 8)),
    ]
    assert ladder[-1].until == deadline
    assert due_step(ladder, deadline) is None


def test_days_left_counts_local_days() -> None:
    deadline = local(2024, 7, 19, 17).astimezone(UTC)
    assert days_left(local(2024, 7, 16, 8), deadline) == 3
    assert days_left(local(2024, 7, 19, 8), deadline) == 0
    assert days_left(local(2024, 7, 22, 8), deadline) == -3


# --- properties over many months -------------------------------------------------------------

periods = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2024, 2027), st.integers(1, 12))
days = st.one_of(st.just(LAST_DAY), st.integers(1, 31))


@settings(max_examples=150, deadline=None)
@given(period=periods, day=days)
def test_ladder_invariants(period: str, day: int | str) -> None:
    p = plan(day)
    ladder = p.ladder(period)
    deadline = p.deadline.for_period(period)
    work = p.work
    for s in ladder:
        assert work.is_working_day(s.at.astimezone(TZ).date())
        assert s.at < s.until
        if s.step.overdue:
            assert s.at > deadline
        else:
            assert s.at < deadline
            assert s.until <= deadline
            assert s.at.astimezone(TZ).strftime("%Y-%m") == period
    for a, b in itertools.pairwise(ladder):
        assert a.until <= b.at  # windows never overlap: at most one step due at a time
    assert [s.at for s in ladder] == sorted(s.at for s in ladder)
