"""Seeding and running helpers for integration tests (scheduler, reports, console, storage)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time

import pytest

from domain.clock import FixedClock
from domain.deadlines import DeadlineRule, ReminderPlan, WorkCalendar, parse_steps
from domain.kinds import Channel, UnitKind
from domain.periods import TZ, period_of
from domain.states import SubmissionStatus
from outbox.email import EmailSender
from outbox.worker import OutboxWorker, Sender
from reports.compliance import Rules
from scheduler.config import SchedulerConfig
from scheduler.texts import HowToSubmit
from storage.db import Database
from storage.files import FileStore
from storage.models import Officer, Submission
from storage.registry import upsert_unit
from tests.support.smtp import SmtpSink, smtp_settings_for

_codes = itertools.count(1)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """A Vietnam wall-clock instant."""
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def make_config(
    *, day: int | str = 19, steps: str = "7@08:00,3@08:00,1@08:00", overdue: str = "1@08:00",
    work: WorkCalendar | None = None, **extra: object,
) -> SchedulerConfig:  # fmt: skip
    rule = DeadlineRule(day=day if day == "last" else int(day), at=time(17, 0))  # type: ignore[arg-type]
    plan = ReminderPlan(
        deadline=rule,
        steps=parse_steps(steps) + (parse_steps(overdue, overdue=True) if overdue else ()),
        work=work or WorkCalendar(),
    )
    config = SchedulerConfig(
        plan=plan,
        rules=Rules(deadline=rule),
        how=HowToSubmit(mailbox="tin@stttt.example.vn", bot_link="https://t.me/newsdesk_bot"),
        editors_chat_id=-1001,
        leadership_emails=("lanhdao@stttt.example.vn",),
    )
    return replace(config, **extra)  # type: ignore[arg-type]


async def add_unit(
    db: Database, code: str, name: str, *, addresses: Sequence[str] = (),
    counted: bool = True, valid_from: date | None = None, valid_to: date | None = None,
    kind: UnitKind = UnitKind.DEPARTMENT,
) -> int:  # fmt: skip
    async with db.session() as session:
        unit, _ = await upsert_unit(
            session=session, code=code, name=name, kind=kind, counted=counted,
            valid_from=valid_from, valid_to=valid_to, addresses=list(addresses),
        )  # fmt: skip
        await session.commit()
        assert unit.id is not None
        return unit.id


async def add_officer(
    db: Database, unit_id: int, name: str, *, email: str | None = None,
    telegram_user_id: int | None = None, phone: str | None = None, position: str = "Chuyên viên",
    active_from: datetime | None = None, active_to: datetime | None = None,
) -> int:  # fmt: skip
    async with db.session() as session:
        officer = Officer(
            unit_id=unit_id, full_name=name, position=position, email=email, phone=phone,
            telegram_user_id=telegram_user_id, active_from=active_from or local(2020, 1, 1),
            active_to=active_to,
        )  # fmt: skip
        session.add(officer)
        await session.commit()
        assert officer.id is not None
        return officer.id


async def add_submission(
    db: Database, unit_id: int | None, received_at: datetime, *,
    status: SubmissionStatus = SubmissionStatus.PENDING_REVIEW, title: str = "Tin bài",
    updated_at: datetime | None = None, revision: int = 1,
) -> str:  # fmt: skip
    period = period_of(received_at)
    code = f"{period}-{next(_codes):04d}"
    async with db.session() as session:
        session.add(
            Submission(
                channel=Channel.EMAIL, code=code, unit_id=unit_id, received_at=received_at,
                period=period, status=status, title=title, revision=revision,
                updated_at=updated_at or received_at,
            )
        )  # fmt: skip
        await session.commit()
    return code


def email_worker(db: Database, sink: SmtpSink, files: FileStore, clock: FixedClock,
                 *extra: Sender) -> OutboxWorker:  # fmt: skip
    """The real outbox worker sending email to the aiosmtpd sink (plus any other senders)."""
    return OutboxWorker(db, [EmailSender(smtp_settings_for(sink), files=files), *extra],
                        clock=clock)  # fmt: skip


def mails(sink: SmtpSink) -> list[tuple[str, str]]:
    """(recipient, subject) of every mail the sink holds, in arrival order."""
    return [(m.rcpt_tos[0], str(m.message["Subject"])) for m in sink.messages]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(local(2024, 7, 1, 7))
