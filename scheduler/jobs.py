"""APScheduler 3.11 inside `serve`: jobs rebuilt from configuration at every start.

Each job is one call into a service that decides from the database what is due, so the jobs are
safe to run at any time and as often as wanted. That is how downtime is handled: every job also
runs once at start-up (catching up what a stopped process missed), and while running, a late run
(blocked loop, suspended VM) is still run within `misfire_grace_time`, coalesced into one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from domain.clock import Clock
from domain.periods import TZ
from scheduler.config import SchedulerConfig
from scheduler.digest import send_digest
from scheduler.locks import release_own
from scheduler.monthly import send_monthly_report
from scheduler.officer_reach import send_officer_reach
from scheduler.service import remind_due
from storage.db import Database
from storage.files import FileStore
from storage.leases import holder_name

log = logging.getLogger(__name__)
STOP_WAIT_SECONDS = 60.0


def reminder_trigger(config: SchedulerConfig) -> BaseTrigger:
    """Fire at every local time some ladder step uses, every day (the service picks the step)."""
    crons = [CronTrigger(hour=t.hour, minute=t.minute, timezone=TZ) for t in config.reminder_times]
    return crons[0] if len(crons) == 1 else OrTrigger(crons)


def report_trigger(config: SchedulerConfig) -> CronTrigger:
    at = config.report_time
    return CronTrigger(day=min(config.report_day, 28), hour=at.hour, minute=at.minute, timezone=TZ)


def digest_trigger(config: SchedulerConfig) -> CronTrigger:
    at = config.digest_time
    days = "mon-fri" if config.digest_weekdays_only else "*"  # names: 3.x counts 0 = Monday
    return CronTrigger(day_of_week=days, hour=at.hour, minute=at.minute, timezone=TZ)


@dataclass(frozen=True)
class DailyJob:
    """An extra job run every day at a local time (the reach sync), and once at start-up."""

    id: str
    at: time
    run: Callable[[], Awaitable[object]]


class SchedulerComponent:
    """Owns the AsyncIOScheduler; runs until `stop`, then lets a running job finish."""

    name = "scheduler"

    def __init__(
        self, *, db: Database, files: FileStore, config: SchedulerConfig, clock: Clock,
        wake: Callable[[], None] = lambda: None, daily: tuple[DailyJob, ...] = (),
        instance: str = "",
    ) -> None:  # fmt: skip
        self.db, self.files, self.config, self.clock, self.wake = db, files, config, clock, wake
        self.daily = daily
        # Jobs run under leases held in this instance's name (scheduler.locks).
        self.instance = instance
        self.holder = holder_name(instance) if instance else ""
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.finished: list[str] = []  # job ids in completion order (start-up line, tests)

    def build(self) -> AsyncIOScheduler:
        """A scheduler with every job added; each first runs at start-up, then on its trigger."""
        scheduler = AsyncIOScheduler(
            timezone=TZ,
            job_defaults={
                "misfire_grace_time": self.config.misfire_grace_seconds,
                "coalesce": True,
                "max_instances": 1,
            },
        )
        now = datetime.now(TZ)  # APScheduler keeps wall-clock time itself
        jobs: list[tuple[str, BaseTrigger, Callable[[], Awaitable[object]]]] = [
            ("reminders", reminder_trigger(self.config), self.run_reminders),
            ("monthly-report", report_trigger(self.config), self.run_report),
            ("digest", digest_trigger(self.config), self.run_digest),
        ]
        for job in self.daily:
            trigger = CronTrigger(hour=job.at.hour, minute=job.at.minute, timezone=TZ)
            jobs.append((job.id, trigger, job.run))
        for job_id, trigger, func in jobs:
            scheduler.add_job(self._guarded(job_id, func), trigger, id=job_id, name=job_id,
                              next_run_time=now)  # fmt: skip
        return scheduler

    def _guarded(
        self, job_id: str, func: Callable[[], Awaitable[object]]
    ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            self._running += 1
            self._idle.clear()
            try:
                result = await func()
                log.debug("job %s done: %s", job_id, result)
            except Exception:  # one failed run must not stop the schedule; the next run retries
                log.exception("scheduled job %s failed", job_id)
            finally:
                self.finished.append(job_id)
                self._running -= 1
                if not self._running:
                    self._idle.set()

        return run

    async def run_reminders(self) -> object:
        return await remind_due(db=self.db, config=self.config, now=self.clock.now(),
                                wake=self.wake, holder=self.holder)  # fmt: skip

    async def run_report(self) -> object:
        sent = await send_monthly_report(db=self.db, files=self.files, config=self.config,
                                         now=self.clock.now(), wake=self.wake,
                                         holder=self.holder)  # fmt: skip
        told = await send_officer_reach(db=self.db, config=self.config, now=self.clock.now(),
                                        wake=self.wake, holder=self.holder)  # fmt: skip
        return sent, told

    async def run_digest(self) -> object:
        return await send_digest(db=self.db, config=self.config, now=self.clock.now(),
                                 wake=self.wake, holder=self.holder)  # fmt: skip

    async def run(self, stop: asyncio.Event) -> None:
        if self.instance:
            try:
                if await release_own(self.db, self.instance):
                    log.info("released the job leases of this instance's previous run")
            except Exception as exc:  # they run out by themselves (scheduler.locks.JOB_LEASE)
                log.warning("job leases of the previous run not released (%s)", type(exc).__name__)
        scheduler = self.build()
        scheduler.start()
        try:
            await stop.wait()
        finally:
            scheduler.pause()
            try:
                await asyncio.wait_for(self._idle.wait(), timeout=STOP_WAIT_SECONDS)
            except TimeoutError:
                log.warning("scheduler stopping with a job still running; it will be rolled back")
            scheduler.shutdown(wait=False)


def describe(config: SchedulerConfig) -> str:
    """One start-up line: what the scheduler will do."""
    rule = config.plan.deadline
    times = ", ".join(t.strftime("%H:%M") for t in config.reminder_times)
    steps = ", ".join(s.name for s in config.plan.steps)
    campaign = (
        f"; registration until {config.campaign.deadline:%Y-%m-%d}" if config.campaign else ""
    )
    return (
        f"scheduler: deadline day {rule.day} {rule.at:%H:%M}, steps {steps} at {times}; "
        f"report on day {config.report_day} {config.report_time:%H:%M}; "
        f"digest {config.digest_time:%H:%M}{campaign}"
    )
