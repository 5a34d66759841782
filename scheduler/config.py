"""The scheduler's configuration as plain values, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from domain.deadlines import (
    DeadlineRule,
    ReminderPlan,
    ScheduledStep,
    Step,
    WorkCalendar,
    campaign_ladder,
    parse_deadline_day,
    parse_steps,
)
from domain.periods import TZ, local_datetime
from reports.compliance import Rules
from scheduler.texts import HowToSubmit
from settings import Settings


@dataclass(frozen=True)
class Campaign:
    """The officer-registration campaign: its deadline and ladder."""

    deadline: datetime
    ladder: tuple[ScheduledStep, ...]
    invite_base: str  # "https://t.me/<bot>?start=" (empty when the bot has no username)

    @property
    def key(self) -> str:
        return "reg-" + self.deadline.astimezone(TZ).strftime("%Y%m%d")


@dataclass(frozen=True)
class SchedulerConfig:
    """Everything the jobs need, independent of pydantic."""

    plan: ReminderPlan = field(default_factory=ReminderPlan)
    rules: Rules = field(default_factory=Rules)
    how: HowToSubmit = field(default_factory=HowToSubmit)
    campaign: Campaign | None = None
    report_day: int = 3
    report_time: time = time(8, 0)
    report_internal: bool = False
    leadership_emails: tuple[str, ...] = ()
    editors_chat_id: int | None = None
    digest_time: time = time(8, 0)
    digest_weekdays_only: bool = True
    misfire_grace_seconds: int = 3600
    officer_reach: bool = True
    department: str = "Sở Thông tin và Truyền thông"  # who signs official mail
    oa_name: str = "Công dân số Thái Bình"

    @property
    def reminder_times(self) -> list[time]:
        """The distinct local times at which some ladder step fires."""
        times = {s.at for s in self.plan.steps}
        if self.campaign:
            times |= {s.step.at for s in self.campaign.ladder}
        return sorted(times)


def _steps(settings: Settings) -> tuple[Step, ...]:
    s = settings.schedule
    if s.reminder_steps.strip():
        before = parse_steps(s.reminder_steps)
    else:
        before = tuple(Step(days, s.reminder_time) for days in s.reminder_days)
    overdue: tuple[Step, ...] = ()
    if s.overdue_reminder:
        overdue = (Step(s.overdue_days, s.overdue_time or s.reminder_time, overdue=True),)
    return before + overdue


def _campaign(settings: Settings, rule: DeadlineRule, work: WorkCalendar) -> Campaign | None:
    s = settings.schedule
    if not s.registration_deadline.strip():
        return None
    deadline = local_datetime(date.fromisoformat(s.registration_deadline.strip()), rule.at)
    at = s.registration_time or s.reminder_time
    steps = [Step(days, at) for days in s.registration_days]
    ladder = campaign_ladder("registration", deadline, steps, work=work)
    username = settings.telegram.bot_username.lstrip("@")
    base = f"https://t.me/{username}?start=" if username else ""
    return Campaign(deadline=deadline, ladder=tuple(ladder), invite_base=base)


def config_from_settings(settings: Settings) -> SchedulerConfig:
    """Read the `schedule`, `intake` and `telegram` groups into a SchedulerConfig."""
    s = settings.schedule
    rule = DeadlineRule(day=parse_deadline_day(s.deadline_day), at=s.deadline_time)
    work = WorkCalendar(
        skip_weekends=s.skip_weekends,
        skip_holidays=s.skip_holidays,
        extra_days_off=frozenset(s.extra_days_off),
        extra_working_days=frozenset(s.extra_working_days),
    )
    campaign = _campaign(settings, rule, work)
    username = settings.telegram.bot_username.lstrip("@")
    return SchedulerConfig(
        plan=ReminderPlan(deadline=rule, steps=_steps(settings), work=work),
        rules=Rules(
            deadline=rule,
            not_qualifying=frozenset(s.not_qualifying),
            registration_deadline=campaign.deadline if campaign else None,
            counts_as=s.counts_as,
            go_live=local_datetime(date.fromisoformat(s.go_live), time(0)) if s.go_live else None,
        ),
        how=HowToSubmit(
            mailbox=settings.intake.mailbox_address,
            bot_link=f"https://t.me/{username}" if username else "",
            department=settings.org.department_name,
            oa_name=settings.zalo.oa_name,
            document=settings.org.document_ref,
        ),
        campaign=campaign,
        report_day=s.report_day,
        report_time=s.report_time,
        report_internal=s.report_internal,
        leadership_emails=tuple(s.leadership_emails),
        editors_chat_id=settings.telegram.editors_chat_id,
        digest_time=s.digest_time,
        digest_weekdays_only=s.digest_weekdays_only,
        misfire_grace_seconds=s.misfire_grace_seconds,
        officer_reach=s.officer_reach,
        department=settings.org.department_name,
        oa_name=settings.zalo.oa_name,
    )


def report_due_at(config: SchedulerConfig, period_after: str) -> datetime:
    """When the report for the month before `period_after` goes out (report day, local time)."""
    year, month = (int(x) for x in period_after.split("-"))
    day = min(config.report_day, 28)
    return local_datetime(date(year, month, day), config.report_time)


def digest_due_at(config: SchedulerConfig, day: date) -> datetime:
    return local_datetime(day, config.digest_time)
