"""The officer-registration campaign: units without an active officer, asked until a deadline.

Such units have no officer to write to, so the request goes to the unit's own email addresses,
with a Telegram invite link (an InviteCode the bot accepts) for the officer to register with.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.deadlines import due_step
from domain.periods import TZ
from reports.compliance import UnitInfo, counted_units
from scheduler import texts
from scheduler.config import SchedulerConfig
from scheduler.reminders import unit_mailboxes
from scheduler.store import Message, ensure_invites
from storage.models import Officer

INVITE_GRACE = timedelta(days=30)  # late registrants can still use the link


async def unregistered_units(*, session: AsyncSession, now: datetime) -> list[UnitInfo]:
    """Counted units existing today with no active officer at all (two queries)."""
    today = now.astimezone(TZ).date()
    units = await counted_units(session=session, first=today, last=today)
    query = (
        select(col(Officer.unit_id))
        .where(col(Officer.active_from) <= now)
        .where(or_(col(Officer.active_to).is_(None), col(Officer.active_to) > now))
        .distinct()
    )
    registered = set((await session.exec(query)).all())
    return [u for u in units if u.id not in registered]


async def plan_campaign(
    *, session: AsyncSession, config: SchedulerConfig, now: datetime
) -> list[Message]:
    """The campaign messages due at `now` (none after the registration deadline)."""
    campaign = config.campaign
    if campaign is None:
        return []
    step = due_step(campaign.ladder, now)
    if step is None:
        return []
    units = await unregistered_units(session=session, now=now)
    if not units:
        return []
    invites = await ensure_invites(
        session=session,
        unit_ids=[u.id for u in units],
        now=now,
        expires_at=max(campaign.deadline, now) + INVITE_GRACE,
    )
    mailboxes = await unit_mailboxes(session=session)
    subject = texts.registration_subject(deadline=campaign.deadline)
    messages = []
    for unit in units:
        link = (
            campaign.invite_base + invites[unit.id] if campaign.invite_base else invites[unit.id]
        )
        body = texts.registration_body(
            unit_name=unit.name, deadline=campaign.deadline, now=now, invite_link=link,
            mailbox=config.how.mailbox, sign_off=config.how.sign_off,
        )  # fmt: skip
        for channel, recipient in dict.fromkeys(mailboxes.get(unit.id, [])):
            messages.append(
                Message(unit.id, campaign.key, step.name, channel, recipient, subject, body)
            )
    return messages
