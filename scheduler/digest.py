"""The editors' daily digest: reviews waiting and for how long, failed publications, units
still missing this month. Sent once per local day (a JobRun row keyed by the date)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.periods import TZ, period_of
from domain.states import SubmissionStatus
from outbox.store import TELEGRAM, enqueue
from reports.compliance import counted_units, period_days
from scheduler import texts
from scheduler.config import SchedulerConfig, digest_due_at
from scheduler.locks import job_lock
from scheduler.reminders import missing_units
from scheduler.store import claim_job_run, finish_job_run
from storage.db import Database
from storage.models import Publication, Submission, Unit

log = logging.getLogger(__name__)
S = SubmissionStatus
NO_UNIT = "(chưa rõ đơn vị)"


async def _waiting(session: AsyncSession, now: datetime) -> list[texts.WaitingItem]:
    query = (
        select(
            col(Submission.code), col(Unit.name), col(Submission.title), col(Submission.updated_at)
        )
        .outerjoin(Unit, col(Unit.id) == col(Submission.unit_id))
        .where(col(Submission.status).in_([S.PENDING_REVIEW, S.QUARANTINED]))
        .order_by(col(Submission.updated_at))
    )
    rows = (await session.exec(query)).all()
    return [texts.WaitingItem(c, u or NO_UNIT, t, now - at) for c, u, t, at in rows]


async def _failed(session: AsyncSession) -> list[texts.FailedItem]:
    query = (
        select(
            col(Submission.code),
            col(Unit.name),
            col(Submission.title),
            col(Publication.last_error),
        )
        .outerjoin(Unit, col(Unit.id) == col(Submission.unit_id))
        .outerjoin(Publication, col(Publication.submission_id) == col(Submission.id))
        .where(col(Submission.status) == S.PUBLISH_FAILED)
        .order_by(col(Submission.id), col(Publication.id))
    )
    latest: dict[str, texts.FailedItem] = {}
    for code, unit, title, error in (await session.exec(query)).all():
        latest[code] = texts.FailedItem(code, unit or NO_UNIT, title, (error or "")[:200])
    return list(latest.values())


async def build_digest(*, session: AsyncSession, config: SchedulerConfig, now: datetime) -> str:
    """The digest text as of `now` (five queries)."""
    period = period_of(now)
    first, last = period_days(period)
    total = len(await counted_units(session=session, first=first, last=last))
    missing = await missing_units(session=session, config=config, period=period, now=now)
    return texts.digest(
        now=now,
        period=period,
        deadline=config.rules.deadline.for_period(period),
        waiting=await _waiting(session, now),
        failed=await _failed(session),
        missing=[u.name for u in missing],
        total_units=total,
    )


async def send_digest(
    *, db: Database, config: SchedulerConfig, now: datetime,
    wake: Callable[[], None] = lambda: None, holder: str = "",
) -> bool:  # fmt: skip
    """Queue today's digest for the editors' chat once, from the digest time on."""
    day = now.astimezone(TZ).date()
    if config.editors_chat_id is None or now < digest_due_at(config, day):
        return False
    if config.digest_weekdays_only and day.weekday() >= 5:
        return False
    async with job_lock(db, "digest", holder=holder) as held, db.session() as session:
        if not held:
            return False
        run_id = await claim_job_run(session=session, key=f"digest:{day.isoformat()}", now=now)
        if run_id is None:
            return False
        text = await build_digest(session=session, config=config, now=now)
        chat = str(config.editors_chat_id)
        await enqueue(
            session=session, key=f"digest:{day.isoformat()}:{chat}", channel=TELEGRAM,
            recipient=chat, body=text, meta={"kind": "digest"}, now=now,
        )  # fmt: skip
        await finish_job_run(session=session, run_id=run_id, now=now, outcome="queued")
        await session.commit()
    wake()
    return True
