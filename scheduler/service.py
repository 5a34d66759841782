"""The reminder sweep (`remind run`, the scheduled job) and its dry-run preview."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.deadlines import ScheduledStep
from domain.events import event_line
from domain.periods import TZ, local_datetime
from scheduler.campaign import plan_campaign
from scheduler.config import SchedulerConfig
from scheduler.locks import job_lock
from scheduler.reminders import plan_step
from scheduler.store import Message, record_reminders
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    """What one sweep did."""

    ran: bool  # False when another instance held the lock
    steps: tuple[str, ...] = ()  # "2024-07/before-3", ...
    planned: int = 0
    new: tuple[Message, ...] = field(default_factory=tuple)


async def plan_due(
    *, session: AsyncSession, config: SchedulerConfig, now: datetime,
    include_unreachable: bool = False,
) -> tuple[list[ScheduledStep], list[Message]]:  # fmt: skip
    """Every message due at `now`: the monthly steps due and the registration campaign."""
    steps = config.plan.due(now)
    messages: list[Message] = []
    for step in steps:
        messages += await plan_step(
            session=session, config=config, step=step, now=now,
            include_unreachable=include_unreachable,
        )  # fmt: skip
    messages += await plan_campaign(session=session, config=config, now=now)
    return steps, messages


async def remind_due(
    *,
    db: Database,
    config: SchedulerConfig,
    now: datetime,
    wake: Callable[[], None] = lambda: None,
    holder: str = "",
) -> SweepResult:
    """Record and enqueue whatever is due and not yet sent, in one transaction under the job's
    lease (`holder` names this process: scheduler.locks)."""
    async with job_lock(db, "reminders", holder=holder) as held, db.session() as session:
        if not held:
            log.info("reminder sweep skipped: another instance holds the lock")
            return SweepResult(ran=False)
        steps, messages = await plan_due(session=session, config=config, now=now)
        new = await record_reminders(session=session, messages=messages, now=now)
        await session.commit()
    if new:
        wake()
    for message in new:  # committed: one line per reminder (never the recipient's address)
        log.info(
            event_line(
                "reminder.queued", unit=message.unit_id, period=message.period,
                step=message.step, channel=message.channel,
            )
        )  # fmt: skip
    names = tuple(f"{s.key}/{s.name}" for s in steps)
    log.info("reminder sweep: steps %s, %d due, %d new", names or "-", len(messages), len(new))
    return SweepResult(ran=True, steps=names, planned=len(messages), new=tuple(new))


@dataclass(frozen=True)
class PreviewLine:
    at: datetime
    message: Message


async def preview_day(*, db: Database, config: SchedulerConfig, day: date) -> list[PreviewLine]:
    """Who would be reminded of what on local `day`, judged on today's data; nothing is sent."""
    lines: list[PreviewLine] = []
    async with db.session() as session:
        for step in config.plan.firing_on(day):
            planned = await plan_step(
                session=session, config=config, step=step, now=step.at, include_unreachable=True
            )
            for message in planned:
                lines.append(PreviewLine(step.at, message))
        if config.campaign:
            for step in config.campaign.ladder:
                if step.at.astimezone(TZ).date() == day:
                    for message in await plan_campaign(
                        session=session, config=config, now=step.at
                    ):
                        lines.append(PreviewLine(step.at, message))
        await session.rollback()  # the campaign may have drafted invite codes: keep nothing
    return lines


async def dry_run_day(*, db: Database, config: SchedulerConfig, day: date) -> list[PreviewLine]:
    """What a sweep at the end of local `day` would queue (whatever it already sent), judged
    on today's data; nothing is recorded or sent."""
    now = local_datetime(day, time(23, 59, 59))
    lines: list[PreviewLine] = []
    async with db.session() as session:
        steps, messages = await plan_due(
            session=session, config=config, now=now, include_unreachable=True
        )
        at = {(s.key, s.name): s.at for s in steps}
        for message in messages:
            lines.append(PreviewLine(at.get((message.period, message.step), now), message))
        await session.rollback()  # the campaign may have drafted invite codes: keep nothing
    return lines
