"""Reminders end to end: moved clocks, the real outbox worker, mail on a real aiosmtpd server."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from domain.clock import FixedClock
from domain.states import SubmissionStatus as S
from outbox.worker import OutboxWorker
from scheduler.config import SchedulerConfig
from scheduler.service import remind_due
from storage.db import Database
from storage.files import FileStore
from storage.models import OutboxMessage, Reminder
from tests.support.seed import (
    add_officer,
    add_submission,
    add_unit,
    email_worker,
    local,
    mails,
    make_config,
)
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.integration
JULY = "Đề nghị gửi tin, bài tháng 07/2024 (hạn: 17:00 ngày 19/07/2024)"
JULY_LATE = "Đơn vị chưa gửi tin, bài tháng 07/2024 (đã quá hạn)"
# F sent, but only a rejected item: never told it sent nothing.
JULY_NOT_MET = "Đơn vị chưa có tin, bài đạt yêu cầu tháng 07/2024 (đã quá hạn)"


async def seed(db: Database) -> dict[str, int]:
    """A: two officers; B: no officer, own address; C: complied early; D: submits on 14/7;
    E: not counted; F: one rejected item."""
    ids = {
        "A": await add_unit(db, "a", "Sở A"),
        "B": await add_unit(db, "b", "Sở B", addresses=["vanphong@b.vn", "@b.vn"]),
        "C": await add_unit(db, "c", "Sở C"),
        "D": await add_unit(db, "d", "Sở D"),
        "E": await add_unit(db, "e", "Báo E", counted=False, addresses=["e@e.vn"]),
        "F": await add_unit(db, "f", "Sở F"),
    }
    await add_officer(db, ids["A"], "Nguyễn Văn An", email="an@a.vn")
    await add_officer(db, ids["A"], "Trần Thị Bích", email="bich@a.vn")
    await add_officer(db, ids["A"], "Cựu Cán Bộ", email="cu@a.vn", active_to=local(2024, 1, 1))
    await add_officer(db, ids["C"], "Lê C", email="c@c.vn")
    await add_officer(db, ids["D"], "Lê D", email="d@d.vn")
    await add_officer(db, ids["F"], "Lê F", email="f@f.vn")
    await add_submission(db, ids["C"], local(2024, 7, 5, 9), status=S.APPROVED)
    await add_submission(db, ids["F"], local(2024, 7, 2, 9), status=S.REJECTED,
                         title="Bài bị trả")  # fmt: skip
    return ids


async def sweep(
    db: Database, config: SchedulerConfig, clock: FixedClock, worker: OutboxWorker, at: datetime
) -> int:
    """One run of the reminder job at `at`, then the outbox drained; new reminders recorded."""
    clock.set(at)
    result = await remind_due(db=db, config=config, now=clock.now())
    await worker.drain()
    return len(result.new)


async def test_july_ladder_exactly_once(
    database: Database, smtp_sink: SmtpSink, files: FileStore, clock: FixedClock
) -> None:
    """GIVEN deadline 19/7 17:00 and steps 7/3/1 days before plus 1 day overdue
    WHEN the job runs every morning and evening from 1/7 to 31/7
    THEN each non-compliant counted unit gets each step once, D stops after submitting on 14/7,
    and the overdue notice waits for Monday 22/7 (20/7 is a Saturday)."""
    ids = await seed(database)
    config = make_config(day=19)
    worker = email_worker(database, smtp_sink, files, clock)
    day = local(2024, 7, 1)
    while day < local(2024, 8, 1):
        if day.date() == local(2024, 7, 14).date():
            await add_submission(database, ids["D"], local(2024, 7, 14, 10))
        for hour in (8, 17):
            await sweep(database, config, clock, worker, day.replace(hour=hour, minute=5))
        day += timedelta(days=1)
    group = sorted(["an@a.vn", "bich@a.vn", "vanphong@b.vn", "f@f.vn"])
    expected = (
        [(r, JULY) for r in sorted([*group, "d@d.vn"])]
        + [(r, JULY) for r in group] * 2
        + [(r, JULY_NOT_MET if r == "f@f.vn" else JULY_LATE) for r in group]
    )
    got = mails(smtp_sink)
    late = [(r, JULY_LATE) for r in group if r != "f@f.vn"]
    assert sorted(m for m in got if m[1] == JULY_LATE) == late
    assert [m for m in got if m[1] == JULY_NOT_MET] == [("f@f.vn", JULY_NOT_MET)]
    assert sorted(got) == sorted(expected)
    assert len(got) == 4 * 4 + 1


async def test_reminder_text_lists_what_was_sent(
    database: Database, smtp_sink: SmtpSink, files: FileStore, clock: FixedClock
) -> None:
    await seed(database)
    worker = email_worker(database, smtp_sink, files, clock)
    assert await sweep(database, make_config(day=19), clock, worker, local(2024, 7, 16, 8)) == 5
    [f_mail] = [m for m in smtp_sink.messages if m.rcpt_tos == ["f@f.vn"]]
    body = f_mail.message.get_body(("plain",)).get_content()
    assert "Kính gửi đồng chí Lê F (Sở F)," in body
    assert "Hạn gửi: 17:00 ngày 19/07/2024 (còn 3 ngày)." in body
    assert "«Bài bị trả» – Không được duyệt" in body
    assert "tin@stttt.example.vn" in body
    assert "https://t.me/newsdesk_bot" in body
    # An officer known by name is addressed by name; the unit's own mailbox by the unit's name.
    [an_mail] = [m for m in smtp_sink.messages if m.rcpt_tos == ["an@a.vn"]]
    an_body = an_mail.message.get_body(("plain",)).get_content()
    assert an_body.startswith("Kính gửi đồng chí Nguyễn Văn An (")
    assert "Newsdesk" not in an_body and "Newsdesk" not in str(an_mail.message["Subject"])


async def test_rerun_and_records(
    database: Database, smtp_sink: SmtpSink, files: FileStore, clock: FixedClock
) -> None:
    """GIVEN a sweep that sent WHEN it runs again at once and an hour later THEN nothing new,
    and each reminder row points at its outbox message."""
    await seed(database)
    config = make_config(day=19)
    worker = email_worker(database, smtp_sink, files, clock)
    assert await sweep(database, config, clock, worker, local(2024, 7, 12, 8)) == 5
    assert await sweep(database, config, clock, worker, local(2024, 7, 12, 8)) == 0
    assert await sweep(database, config, clock, worker, local(2024, 7, 12, 9)) == 0
    assert len(smtp_sink.messages) == 5
    async with database.session() as session:
        rows = (await session.exec(select(Reminder))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
    assert {(r.period, r.step, r.channel) for r in rows} == {("2024-07", "before-7", "email")}
    assert {r.outbox_id for r in rows} == {o.id for o in outbox}
    assert {o.status for o in outbox} == {"sent"}


async def test_two_day_outage_sends_only_the_latest_step(
    database: Database, smtp_sink: SmtpSink, files: FileStore, clock: FixedClock
) -> None:
    """GIVEN the service down from 13/7 to 18/7 10:00 (before-3 on 16/7 and before-1 on 18/7
    08:00 both missed) WHEN it comes back THEN only before-1 goes out, once."""
    ids = await seed(database)
    config = make_config(day=19)
    worker = email_worker(database, smtp_sink, files, clock)
    assert await sweep(database, config, clock, worker, local(2024, 7, 12, 8, 1)) == 5
    await add_submission(database, ids["D"], local(2024, 7, 14, 10))
    assert await sweep(database, config, clock, worker, local(2024, 7, 18, 10)) == 4
    assert await sweep(database, config, clock, worker, local(2024, 7, 18, 11)) == 0
    async with database.session() as session:
        steps = sorted({r.step for r in (await session.exec(select(Reminder))).all()})
    assert steps == ["before-1", "before-7"]  # before-3 was skipped, not sent late
    assert len(smtp_sink.messages) == 9


async def test_outage_over_the_deadline(
    database: Database, smtp_sink: SmtpSink, files: FileStore, clock: FixedClock
) -> None:
    """GIVEN down from 17/7 to 19/7 18:00 (after the deadline) THEN nothing until the overdue
    notice on Monday 22/7."""
    await seed(database)
    config = make_config(day=19)
    worker = email_worker(database, smtp_sink, files, clock)
    assert await sweep(database, config, clock, worker, local(2024, 7, 19, 18)) == 0
    assert await sweep(database, config, clock, worker, local(2024, 7, 21, 8)) == 0
    assert await sweep(database, config, clock, worker, local(2024, 7, 22, 8)) == 5
    assert {s for _, s in mails(smtp_sink)} == {JULY_LATE, JULY_NOT_MET}


async def test_tet_2025(
    database: Database, smtp_sink: SmtpSink, files: FileStore, clock: FixedClock
) -> None:
    """GIVEN the deadline on the last day of January 2025 (Tết: 27/1-1/2)
    WHEN the job runs every day at 08:00 from 15/1 to 10/2
    THEN one reminder on Friday 24/1 and the overdue notice on Monday 3/2, nothing during Tết."""
    ids = await seed(database)
    await add_submission(database, ids["C"], local(2025, 1, 6, 9), status=S.APPROVED)
    config = make_config(day="last")
    worker = email_worker(database, smtp_sink, files, clock)
    sent_on: dict[str, int] = {}
    day = local(2025, 1, 15, 8)
    while day <= local(2025, 2, 10, 8):
        count = await sweep(database, config, clock, worker, day)
        if count:
            sent_on[day.strftime("%d/%m")] = count
        day += timedelta(days=1)
    assert sent_on == {"24/01": 5, "03/02": 5}  # A x2, B, D, F; C complied
    overdue = [m for m in smtp_sink.messages if m.rcpt_tos == ["d@d.vn"]][-1]
    assert overdue.message["Subject"] == "Đơn vị chưa gửi tin, bài tháng 01/2025 (đã quá hạn)"
    body = overdue.message.get_body(("plain",)).get_content()
    assert "tháng 01/2025 đã kết thúc" in body


async def test_weekend_deadline_august_2024(
    database: Database, smtp_sink: SmtpSink, files: FileStore, clock: FixedClock
) -> None:
    """Deadline Sunday 25/8/2024: reminders Fri 16/8, Thu 22/8, Fri 23/8; overdue Mon 26/8."""
    await seed(database)
    config = make_config(day=25)
    worker = email_worker(database, smtp_sink, files, clock)
    sent_on: list[str] = []
    day = local(2024, 8, 10, 8)
    while day <= local(2024, 8, 31, 8):
        if await sweep(database, config, clock, worker, day):
            sent_on.append(day.strftime("%a %d/%m"))
        day += timedelta(days=1)
    assert sent_on == ["Fri 16/08", "Thu 22/08", "Fri 23/08", "Mon 26/08"]


async def test_closed_units_and_unreachable_officers(
    database: Database, smtp_sink: SmtpSink, files: FileStore, clock: FixedClock
) -> None:
    """GIVEN G closed on 20/7 (merged) and H whose only officer has no email or Telegram
    THEN G gets the reminders before the deadline but no overdue notice after it closed, and
    H is reached at its own address."""
    from datetime import date

    await add_unit(database, "g", "UBND huyện G", addresses=["g@g.vn"],
                   valid_to=date(2024, 7, 20))  # fmt: skip
    h = await add_unit(database, "h", "Sở H", addresses=["vp@h.vn"])
    await add_officer(database, h, "Không Liên Lạc")
    config = make_config(day=19)
    worker = email_worker(database, smtp_sink, files, clock)
    for at in (local(2024, 7, 18, 8), local(2024, 7, 22, 8)):
        await sweep(database, config, clock, worker, at)
    assert sorted(mails(smtp_sink)) == sorted(
        [
            ("g@g.vn", JULY),
            ("vp@h.vn", JULY),
            ("vp@h.vn", JULY_LATE),
        ]
    )
