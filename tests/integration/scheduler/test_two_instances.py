"""Two scheduler instances on one PostgreSQL: every reminder, report and digest sent once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from domain.clock import FixedClock
from scheduler.jobs import SchedulerComponent
from scheduler.locks import job_lock
from scheduler.monthly import send_monthly_report
from scheduler.service import remind_due
from storage.db import Database
from storage.files import FileStore
from tests.support.seed import add_officer, add_unit, email_worker, local, make_config
from tests.support.smtp import SmtpSink

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
async def twin(pg_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two independent engines (as two processes would have) on one database."""
    async with Database(pg_url) as one, Database(pg_url) as two:
        yield one, two


async def seed(db: Database, units: int) -> None:
    for i in range(units):
        uid = await add_unit(db, f"u{i:02d}", f"Đơn vị {i:02d}")
        await add_officer(db, uid, f"Cán bộ {i}", email=f"cb{i}@u.vn")


async def test_racing_sweeps_send_each_reminder_once(
    twin: tuple[Database, Database], smtp_sink: SmtpSink, files: FileStore
) -> None:
    """GIVEN 12 units WHEN two instances sweep at the same instants of every step and both
    drain the outbox THEN each unit gets each step exactly once."""
    one, two = twin
    await seed(one, 12)
    config = make_config(day=19)
    clock = FixedClock(local(2024, 7, 1))
    instants = [local(2024, 7, d, 8, 1) for d in (12, 16, 18, 22)]
    totals = []
    for at in instants:
        clock.set(at)
        results = await asyncio.gather(
            remind_due(db=one, config=config, now=clock.now()),
            remind_due(db=two, config=config, now=clock.now()),
        )
        totals.append(sum(len(r.new) for r in results))
        await asyncio.gather(
            email_worker(one, smtp_sink, files, clock).drain(),
            email_worker(two, smtp_sink, files, clock).drain(),
        )
    assert totals == [12, 12, 12, 12]
    sent = Counter((m.rcpt_tos[0], str(m.message["Subject"])) for m in smtp_sink.messages)
    assert len(sent) == 12 * 2  # reminder subject (3 steps) and overdue subject per unit
    assert set(sent.values()) == {3, 1}
    assert sum(sent.values()) == 48


async def test_a_held_lock_makes_the_other_instance_skip(twin: tuple[Database, Database]) -> None:
    one, two = twin
    await seed(one, 2)
    config = make_config(day=19)
    async with job_lock(one, "reminders", holder="one:1:a") as held:
        assert held
        skipped = await remind_due(db=two, config=config, now=local(2024, 7, 12, 8, 1))
        assert skipped.ran is False
    # the block ends: the lease is released
    ran = await remind_due(db=two, config=config, now=local(2024, 7, 12, 8, 1))
    assert (ran.ran, len(ran.new)) == (True, 2)


async def test_racing_report_jobs_send_one_report(
    twin: tuple[Database, Database], smtp_sink: SmtpSink, files: FileStore
) -> None:
    one, two = twin
    await seed(one, 3)
    config = make_config(day=19, editors_chat_id=None)
    now = local(2024, 8, 3, 8, 30)
    periods = await asyncio.gather(
        send_monthly_report(db=one, files=files, config=config, now=now),
        send_monthly_report(db=two, files=files, config=config, now=now),
        send_monthly_report(db=one, files=files, config=config, now=now),
    )
    assert sorted(p or "" for p in periods) == ["", "", "2024-07"]
    clock = FixedClock(now)
    await email_worker(one, smtp_sink, files, clock).drain()
    [mail] = smtp_sink.messages
    assert mail.rcpt_tos == ["lanhdao@stttt.example.vn"]


async def test_two_scheduler_components_started_together(
    twin: tuple[Database, Database], smtp_sink: SmtpSink, files: FileStore
) -> None:
    """GIVEN two `serve` processes' schedulers starting at the same moment on one database
    WHEN both run their start-up jobs and both outbox workers drain THEN each reminder and the
    report arrive once."""
    one, two = twin
    await seed(one, 6)
    config = make_config(day=19, editors_chat_id=None)
    clock = FixedClock(local(2024, 7, 16, 9))
    components = [SchedulerComponent(db=db, files=files, config=config, clock=clock)
                  for db in (one, two)]  # fmt: skip
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop)) for c in components]
    for _ in range(500):
        if all(len(c.finished) >= 3 for c in components):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.gather(*tasks)
    await asyncio.gather(
        email_worker(one, smtp_sink, files, clock).drain(),
        email_worker(two, smtp_sink, files, clock).drain(),
    )
    got = Counter((m.rcpt_tos[0], str(m.message["Subject"])) for m in smtp_sink.messages)
    assert sum(got.values()) == 7  # six units' before-3 reminders and June's report
    assert set(got.values()) == {1}
