"""Monthly deadline reminders: who is reminded of what, and the sweep that records and sends.

Every query here is per step, never per unit: units, their month figures, their submissions so
far, officers and unit addresses are each read once and joined in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.deadlines import ScheduledStep
from domain.glossary import NO_TITLE
from domain.periods import TZ
from domain.states import STATUS_LABELS, SubmissionStatus
from outbox.store import EMAIL, TELEGRAM
from reports.compliance import (
    UnitInfo,
    counted_units,
    go_live,
    is_tracked,
    period_days,
    standing,
    unit_counts,
)
from reports.figures import Standing
from scheduler import texts
from scheduler.config import SchedulerConfig
from scheduler.store import Message
from storage.models import Officer, Submission, UnitAddress

Recipient = tuple[str, str]  # (channel, address or chat id)


def _label(status: str) -> str:
    try:
        return STATUS_LABELS[SubmissionStatus(status)]
    except ValueError:
        return status


async def active_officers(*, session: AsyncSession, now: datetime) -> dict[int, list[Recipient]]:
    """Each unit's active officers as recipients: Telegram when linked, email when known."""
    query = (
        select(col(Officer.unit_id), col(Officer.email), col(Officer.telegram_user_id))
        .where(col(Officer.active_from) <= now)
        .where(or_(col(Officer.active_to).is_(None), col(Officer.active_to) > now))
        .order_by(col(Officer.unit_id), col(Officer.id))
    )
    found: dict[int, list[Recipient]] = defaultdict(list)
    for unit_id, email, telegram_id in (await session.exec(query)).all():
        if telegram_id is not None:
            found[unit_id].append((TELEGRAM, str(telegram_id)))
        if email:
            found[unit_id].append((EMAIL, email.lower()))
    return found


async def officer_names(*, session: AsyncSession, now: datetime) -> dict[Recipient, str]:
    """The active officers' names by recipient (to address each reminder to its reader)."""
    query = (
        select(col(Officer.full_name), col(Officer.email), col(Officer.telegram_user_id))
        .where(col(Officer.active_from) <= now)
        .where(or_(col(Officer.active_to).is_(None), col(Officer.active_to) > now))
    )
    names: dict[Recipient, str] = {}
    for name, email, telegram_id in (await session.exec(query)).all():
        if telegram_id is not None:
            names[(TELEGRAM, str(telegram_id))] = name
        if email:
            names[(EMAIL, email.lower())] = name
    return names


async def unit_mailboxes(*, session: AsyncSession) -> dict[int, list[Recipient]]:
    """Each unit's own email addresses (whole-domain entries such as "@x.vn" cannot be mailed)."""
    query = select(col(UnitAddress.unit_id), col(UnitAddress.value)).order_by(col(UnitAddress.id))
    found: dict[int, list[Recipient]] = defaultdict(list)
    for unit_id, value in (await session.exec(query)).all():
        if not value.startswith("@"):
            found[unit_id].append((EMAIL, value.lower()))
    return found


def recipients_for(unit_id: int, officers: dict[int, list[Recipient]],
                   mailboxes: dict[int, list[Recipient]]) -> tuple[Recipient, ...]:  # fmt: skip
    """Active officers on every channel; the unit's own address when no officer is reachable."""
    chosen = officers.get(unit_id) or mailboxes.get(unit_id, [])
    return tuple(dict.fromkeys(chosen))


async def sent_so_far(
    *, session: AsyncSession, period: str, unit_ids: Sequence[int]
) -> dict[int, list[texts.SentItem]]:
    """What the given units submitted in `period` (one query)."""
    if not unit_ids:
        return {}
    query = (
        select(
            col(Submission.unit_id),
            col(Submission.code),
            col(Submission.title),
            col(Submission.status),
        )
        .where(col(Submission.period) == period)
        .where(col(Submission.unit_id).in_(list(unit_ids)))
        .order_by(col(Submission.received_at))
    )
    found: dict[int, list[texts.SentItem]] = defaultdict(list)
    for unit_id, code, title, status in (await session.exec(query)).all():
        item = texts.SentItem(code, title or NO_TITLE, _label(status))
        found[unit_id or 0].append(item)
    return found


def _still_exists(unit: UnitInfo, today: date) -> bool:
    return unit.valid_to is None or unit.valid_to >= today


async def missing_units(
    *, session: AsyncSession, config: SchedulerConfig, period: str, now: datetime
) -> list[UnitInfo]:
    """Counted units, valid in `period` and still today, without a qualifying submission
    (none for a month whose deadline came before the go-live)."""
    deadline = config.rules.deadline.for_period(period)
    if not is_tracked(deadline, await go_live(session=session, rules=config.rules)):
        return []
    first, last = period_days(period)
    units = await counted_units(session=session, first=first, last=last)
    counts = await unit_counts(session=session, periods=[period], rules=config.rules)
    today = now.astimezone(TZ).date()
    return [
        u
        for u in units
        if _still_exists(u, today)
        and standing(counts.get((u.id, period)), deadline) is Standing.MISSING
    ]


async def plan_step(
    *, session: AsyncSession, config: SchedulerConfig, step: ScheduledStep, now: datetime,
    include_unreachable: bool = False,
) -> list[Message]:  # fmt: skip
    """The messages one due monthly step produces (recorded or not yet).

    With `include_unreachable`, a unit nobody can be reached at yields one message with an
    empty channel and recipient, so a preview can show it (such messages are never recorded).
    """
    period = step.key
    units = await missing_units(session=session, config=config, period=period, now=now)
    if not units:
        return []
    ids = [u.id for u in units]
    sent = await sent_so_far(session=session, period=period, unit_ids=ids)
    officers = await active_officers(session=session, now=now)
    names = await officer_names(session=session, now=now)
    mailboxes = await unit_mailboxes(session=session)
    overdue = step.step.overdue
    messages = []
    for unit in units:
        subject = texts.reminder_subject(
            period=period, deadline=step.deadline, overdue=overdue, sent=bool(sent.get(unit.id))
        )
        bodies: dict[str | None, str] = {}  # by the officer's name (None: to the unit)
        targets = recipients_for(unit.id, officers, mailboxes)
        if not targets and include_unreachable:
            targets = (("", ""),)
        for channel, recipient in targets:
            name = names.get((channel, recipient))
            if name not in bodies:
                bodies[name] = texts.reminder_body(
                    unit_name=unit.name, period=period, deadline=step.deadline, now=now,
                    overdue=overdue, sent=sent.get(unit.id, []), how=config.how, officer=name,
                )  # fmt: skip
            body = bodies[name]
            messages.append(Message(unit.id, period, step.name, channel, recipient, subject, body))
    return messages
