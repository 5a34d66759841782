"""The daily digest's figures, and the APScheduler wiring (triggers, defaults, start-up run)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from domain.clock import FixedClock
from domain.periods import TZ
from domain.states import SubmissionStatus as S
from runtime.scheduler import build_scheduler
from scheduler.digest import build_digest, send_digest
from scheduler.jobs import SchedulerComponent, describe
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import OutboxMessage, Publication
from tests.support.seed import add_submission, add_unit, local, make_config

pytestmark = pytest.mark.integration


async def test_digest_lists_waiting_failed_and_missing(database: Database) -> None:
    a = await add_unit(database, "a", "Sở A")
    b = await add_unit(database, "b", "Sở B")
    await add_unit(database, "c", "Sở C")
    now = local(2024, 7, 17, 8)
    waiting = await add_submission(database, a, local(2024, 7, 15, 6), title="Tiêm chủng",
                                   status=S.PENDING_REVIEW)  # fmt: skip
    unknown = await add_submission(database, None, local(2024, 7, 17, 5), title="Không rõ",
                                   status=S.QUARANTINED)  # fmt: skip
    code = await add_submission(database, b, local(2024, 7, 3), title="Hội nghị",
                                status=S.PUBLISH_FAILED)  # fmt: skip
    async with database.session() as session:
        from storage.submissions import get_submission_by_code

        sub = await get_submission_by_code(session=session, code=code)
        assert sub is not None and sub.id is not None
        session.add(Publication(submission_id=sub.id, revision=1, last_error="cũ"))
        session.add(Publication(submission_id=sub.id, revision=2, last_error="ảnh quá lớn"))
        await session.commit()
        text = await build_digest(session=session, config=make_config(day=19), now=now)
    assert text.splitlines() == [
        "🗞 Bản tin ngày 17/07/2024",
        "",
        "⏳ Chờ duyệt: 2 (lâu nhất 2 ngày 2 giờ)",
        f"  • {waiting} · Sở A · «Tiêm chủng» · chờ 2 ngày 2 giờ",
        f"  • {unknown} · (chưa rõ đơn vị) · «Không rõ» · chờ 3 giờ",
        "⚠️ Đăng không thành công: 1",
        f"  • {code} · Sở B · «Hội nghị» · ảnh quá lớn",
        # A waits: counts
        "📭 Chưa gửi tháng 07/2024: 1/3 đơn vị (hạn 17:00 ngày 19/07/2024): Sở C",
    ]


async def test_digest_once_per_working_day(database: Database) -> None:
    await add_unit(database, "a", "Sở A")
    config = make_config(day=19, editors_chat_id=-1001)
    runs = [
        local(2024, 7, 17, 7, 59),  # before the digest time
        local(2024, 7, 17, 8, 0),
        local(2024, 7, 17, 12, 0),  # same day again
        local(2024, 7, 20, 9, 0),  # Saturday
        local(2024, 7, 22, 9, 0),
    ]
    sent = [await send_digest(db=database, config=config, now=at) for at in runs]
    assert sent == [False, True, False, False, True]
    async with database.session() as session:
        keys = [m.key for m in (await session.exec(select(OutboxMessage))).all()]
    assert sorted(keys) == ["digest:2024-07-17:-1001", "digest:2024-07-22:-1001"]


def next_fires(trigger: object, after: datetime, count: int) -> list[str]:
    out, prev = [], None
    now = after
    for _ in range(count):
        fire = trigger.get_next_fire_time(prev, now)  # type: ignore[attr-defined]
        out.append(fire.astimezone(TZ).strftime("%a %d/%m %H:%M"))
        prev, now = fire, fire + timedelta(seconds=1)
    return out


async def test_jobs_are_built_from_config_with_catch_up_defaults(
    database: Database, files: FileStore
) -> None:
    config = make_config(day=19, steps="7@08:00,1@15:30", overdue="1@09:00")
    component = SchedulerComponent(db=database, files=files, config=config,
                                   clock=FixedClock(local(2024, 7, 1)))  # fmt: skip
    scheduler = component.build()
    scheduler.start(paused=True)  # computes next_run_time without running anything
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert sorted(jobs) == ["digest", "monthly-report", "reminders"]
        for job in jobs.values():
            assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (3600, True, 1)
            # first run at start-up (catch-up), within a minute of now
            assert abs(job.next_run_time - datetime.now(TZ)) < timedelta(minutes=1)
        start = local(2024, 7, 12, 7)
        assert next_fires(jobs["reminders"].trigger, start, 4) == [
            "Fri 12/07 08:00", "Fri 12/07 09:00", "Fri 12/07 15:30", "Sat 13/07 08:00",
        ]  # fmt: skip
        assert next_fires(jobs["monthly-report"].trigger, start, 2) == [
            "Sat 03/08 08:00", "Tue 03/09 08:00",
        ]  # fmt: skip
        assert next_fires(jobs["digest"].trigger, local(2024, 7, 19, 9), 2) == [
            "Mon 22/07 08:00", "Tue 23/07 08:00",
        ]  # fmt: skip
    finally:
        scheduler.shutdown(wait=False)


async def test_factory_follows_settings(
    database: Database, database_url: str, tmp_path: Path, files: FileStore
) -> None:
    from runtime.context import AppContext

    on = Settings(data_dir=tmp_path, database={"url": database_url},  # type: ignore[arg-type]
                  _env_file=None)  # type: ignore[call-arg]  # fmt: skip
    off = on.model_copy(update={"schedule": on.schedule.model_copy(update={"enabled": False})})
    for settings, expected in ((on, True), (off, False)):
        ctx = AppContext(settings=settings, db=database, files=files,
                         clock=FixedClock(local(2024, 7, 1)), http=None,  # type: ignore[arg-type]
                         web_app=None)  # type: ignore[arg-type]  # fmt: skip
        component, line = await build_scheduler(ctx)
        assert (component is not None) == expected
        assert line.startswith("scheduler")
    assert describe(make_config(day=19)) == (
        "scheduler: deadline day 19 17:00, steps before-7, before-3, before-1, overdue-1 at "
        "08:00; report on day 3 08:00; digest 08:00"
    )


async def test_monthly_report_waits_for_its_day_and_for_recipients(
    database: Database, files: FileStore
) -> None:
    from scheduler.monthly import send_monthly_report
    from storage.models import JobRun

    await add_unit(database, "a", "Sở A")
    nobody = make_config(day=19, editors_chat_id=None, leadership_emails=())
    someone = make_config(day=19, editors_chat_id=-1001)
    early, due = local(2024, 8, 3, 7, 59), local(2024, 8, 3, 8, 0)
    assert await send_monthly_report(db=database, files=files, config=someone, now=early) is None
    assert await send_monthly_report(db=database, files=files, config=nobody, now=due) is None
    assert (
        await send_monthly_report(db=database, files=files, config=someone, now=due) == "2024-07"
    )
    assert await send_monthly_report(db=database, files=files, config=someone, now=due) is None
    async with database.session() as session:
        runs = (await session.exec(select(JobRun))).all()
        keys = sorted(m.key for m in (await session.exec(select(OutboxMessage))).all())
    assert [(r.key, r.outcome) for r in runs] == [("report:2024-07", "queued 2")]
    assert keys == [
        "report:2024-07:email:lanhdao@stttt.example.vn",
        "report:2024-07:telegram:-1001",
    ]
