"""Officers see their own effect: on the report day, each unit's officers hear how often the
unit's articles of last month were read on the OA.

Sent once per month (a JobRun keyed `officer-reach:YYYY-MM`), and only when Zalo gave figures
(no message in a dry run, nothing invented), to units that had an article on the OA that month.
Each message is an outbox row keyed by month, unit, channel and recipient.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from domain.periods import period_of, previous_period
from outbox.store import enqueue
from reports.compliance import counted_units, period_days
from reports.reach import month_reach
from scheduler import texts
from scheduler.config import SchedulerConfig, report_due_at
from scheduler.locks import job_lock
from scheduler.reminders import active_officers, officer_names
from scheduler.store import claim_job_run, finish_job_run
from storage.db import Database

log = logging.getLogger(__name__)


async def send_officer_reach(
    *, db: Database, config: SchedulerConfig, now: datetime,
    wake: Callable[[], None] = lambda: None, holder: str = "",
) -> str | None:  # fmt: skip
    """Queue last month's reach message to each officer once; the period, or None."""
    current = period_of(now)
    period = previous_period(current)
    if not config.officer_reach or now < report_due_at(config, current):
        return None
    async with job_lock(db, "officer-reach", holder=holder) as held, db.session() as session:
        if not held:
            return None
        reach = await month_reach(session=session, period=period, now=now)
        if reach.as_of is None:
            return None  # no figure from Zalo (dry run): say nothing, keep the month unclaimed
        run_id = await claim_job_run(session=session, key=f"officer-reach:{period}", now=now)
        if run_id is None:
            return None
        first, last = period_days(period)
        units = await counted_units(session=session, first=first, last=last)
        officers = await active_officers(session=session, now=now)
        names = await officer_names(session=session, now=now)
        count = 0
        for unit in units:
            figures = reach.units.get(unit.code)
            if figures is None or figures.views is None:
                continue  # no article on the OA that month, or none read yet
            for channel, recipient in officers.get(unit.id, []):
                body = texts.reach_body(
                    unit_name=unit.name, period=period, articles=figures.articles,
                    views=figures.views, how=config.how, officer=names.get((channel, recipient)),
                )  # fmt: skip
                await enqueue(
                    session=session, key=f"reach:{period}:{unit.id}:{channel}:{recipient}",
                    channel=channel, recipient=recipient,
                    subject=texts.reach_subject(period=period), body=body,
                    meta={"kind": "reach"}, now=now,
                )  # fmt: skip
                count += 1
        await finish_job_run(session=session, run_id=run_id, now=now, outcome=f"queued {count}")
        await session.commit()
    wake()
    log.info("officer reach messages for %s: %d queued", period, count)
    return period
