"""The go-live date: months whose deadline came before it are "not tracked", never "missing";
no report and no reminder is sent for them (issue 17, item 6)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select

from domain.clock import FixedClock
from domain.deadlines import ScheduledStep
from reports import render, texts
from reports.compliance import month_report, year_report
from reports.figures import Standing
from runtime.scheduler import build_scheduler
from runtime.serve import serve
from scheduler.monthly import send_monthly_report
from scheduler.reminders import plan_step
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.installation import record_go_live
from storage.models import Installation, JobRun, OutboxMessage
from tests.support.seed import add_officer, add_submission, add_unit, local, make_config

pytestmark = pytest.mark.integration


async def _job_runs(db: Database) -> dict[str, str]:
    async with db.session() as session:
        return {r.key: r.outcome for r in (await session.exec(select(JobRun))).all()}


async def test_first_start_sends_no_report_for_the_month_before(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    """GIVEN 30 units and a leadership address WHEN serve starts for the first time on
    6/12/2026 (after November's report day) THEN the go-live is recorded, November's report is
    not sent (its run is closed as not tracked), and nothing reaches the outbox."""
    for i in range(30):
        await add_unit(database, f"u-{i:02d}", f"Đơn vị {i:02d}")
    settings = Settings(
        data_dir=tmp_path / "data",
        database={"url": database_url},  # type: ignore[arg-type]
        schedule={"leadership_emails": ["lanhdao@stttt.example.vn"]},  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )
    clock = FixedClock(local(2026, 12, 6, 9, 0))
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        serve(settings, stop=stop, clock=clock, ready=ready,
              factories=[("scheduler", build_scheduler)])
    )  # fmt: skip
    await asyncio.wait_for(ready.wait(), 30)
    for _ in range(500):
        if "report:2026-11" in await _job_runs(database):
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 30)
    assert (await _job_runs(database))["report:2026-11"] == "not tracked"
    async with database.session() as session:
        [row] = (await session.exec(select(Installation))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
    assert row.go_live_at == clock.now()
    assert outbox == []


async def test_months_before_go_live_are_not_tracked(database: Database, files: FileStore) -> None:
    """GIVEN the first start on 6/12/2026 WHEN November's and the year's reports are asked
    THEN November is "Chưa theo dõi" for every unit (not "Chưa gửi"), January to November
    show "–" and count for nothing, and December (deadline ahead) is still open."""
    a = await add_unit(database, "a", "Sở A")
    await add_unit(database, "b", "Sở B")
    await add_officer(database, a, "Nguyễn Văn An", email="an@a.vn")
    await record_go_live(database, now=local(2026, 12, 6, 9))
    await record_go_live(database, now=local(2027, 1, 1))  # a later start changes nothing
    config = make_config(day=25)
    now = local(2026, 12, 6, 9, 5)
    async with database.session() as session:
        month = await month_report(session=session, period="2026-11", rules=config.rules, now=now)
        year = await year_report(session=session, year=2026, rules=config.rules, now=now)
    assert not month.tracked
    assert {r.standing for r in month.rows} == {Standing.NOT_TRACKED}
    assert month.missing == () and month.complied == ()
    assert [row[6] for row in render.month_rows(month)] == ["Chưa theo dõi", "Chưa theo dõi"]
    assert "chưa theo dõi" in texts.summary(month)
    assert "0/2" not in texts.summary(month)
    marks = render.year_rows(year)[0][3:15]
    assert marks == ["–"] * 11 + [""]
    assert render.year_rows(year)[0][15] == "0/0"
    # No reminder either: November's overdue notice (26/11) finds nobody to remind.
    overdue = next(s for s in config.plan.ladder("2026-11") if s.step.overdue)
    async with database.session() as session:
        assert await plan_step(session=session, config=config, step=overdue, now=now) == []
    assert await send_monthly_report(db=database, files=files, config=config, now=now) is None
    assert (await _job_runs(database))["report:2026-11"] == "not tracked"


async def test_go_live_setting_tracks_the_first_month_whose_deadline_follows_it(
    database: Database,
) -> None:
    """GIVEN go-live set to 10/7/2024 and deadline day 19 WHEN June and July are reported
    THEN June is not tracked, July is (a unit without items is "Chưa gửi" and is reminded)."""
    a = await add_unit(database, "a", "Sở A")
    await add_officer(database, a, "Nguyễn Văn An", email="an@a.vn")
    await add_submission(database, a, local(2024, 6, 5, 9))
    base = make_config(day=19)
    config = replace(base, rules=replace(base.rules, go_live=local(2024, 7, 10)))
    now = local(2024, 7, 18, 8)
    async with database.session() as session:
        june = await month_report(session=session, period="2024-06", rules=config.rules, now=now)
        july = await month_report(session=session, period="2024-07", rules=config.rules, now=now)
        step: ScheduledStep = next(s for s in config.plan.ladder("2024-07") if s.is_due(now))
        planned = await plan_step(session=session, config=config, step=step, now=now)
    assert [r.standing for r in june.rows] == [Standing.NOT_TRACKED]
    assert [r.standing for r in july.rows] == [Standing.MISSING]
    assert [(m.channel, m.recipient) for m in planned] == [("email", "an@a.vn")]


def test_go_live_setting_is_a_date() -> None:
    with pytest.raises(ValueError):
        Settings(schedule={"go_live": "6/12/2026"}, _env_file=None)  # type: ignore[arg-type,call-arg]
    ok = Settings(schedule={"go_live": "2026-12-06"}, _env_file=None)  # type: ignore[arg-type,call-arg]
    assert ok.schedule.go_live == "2026-12-06"


async def test_an_installation_in_use_keeps_its_months_after_the_upgrade(
    database_url: str,
) -> None:
    """GIVEN a database at the revision before the go-live row, with units imported on
    3/7/2024 and mail from 5/7/2024 WHEN it is upgraded THEN its go-live is 3/7/2024 (its
    months stay tracked), not the first start of the new version."""
    import sqlalchemy as sa
    from alembic.script import ScriptDirectory
    from sqlmodel.sql.sqltypes import UTCDateTime

    from storage import migrate
    from storage.registry import get_unit_by_code

    # The revision before this one, whatever the migrations are chained after at merge.
    script = ScriptDirectory.from_config(migrate.alembic_config(database_url))
    before = script.get_revision("0008_first_month_b").down_revision
    assert isinstance(before, str)
    await asyncio.to_thread(migrate.downgrade, database_url, before)
    # Written with the columns of the first schema: the models may be ahead of `before`.
    units = sa.table(
        "unit", sa.column("code"), sa.column("name"), sa.column("kind"), sa.column("counted"),
        sa.column("name_key"), sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )  # fmt: skip
    imported = local(2024, 7, 3, 9)
    async with Database(database_url) as db, db.engine.begin() as connection:
        await connection.execute(
            sa.insert(units).values(
                code="a", name="Sở A", kind="department", counted=True, name_key="so a",
                created_at=imported, updated_at=imported,
            )
        )  # fmt: skip
    await asyncio.to_thread(migrate.upgrade, database_url)
    async with Database(database_url) as db:
        async with db.session() as session:
            unit = await get_unit_by_code(session=session, code="a")
        assert unit is not None
        await add_submission(db, unit.id, local(2024, 7, 5, 9))
        assert await record_go_live(db, now=local(2026, 12, 6)) == local(2024, 7, 3, 9)
        async with db.session() as session:
            july = await month_report(
                session=session, period="2024-07", rules=make_config(day=19).rules,
                now=local(2026, 12, 6),
            )  # fmt: skip
    assert july.tracked and [r.standing for r in july.rows] == [Standing.ON_TIME]
