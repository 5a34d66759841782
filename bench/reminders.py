"""Benchmark: the reminder sweep and the yearly report over synthetic units and months.

    .venv/bin/python bench/reminders.py                      # 500 and 5,000 units, SQLite
    .venv/bin/python bench/reminders.py --units 5000 --url postgresql://postgres@127.0.0.1/test

For each size: a fresh database, `units` units of mixed kinds as on today's map (one in ten a
department, most of the rest communes and wards, some press; one in twenty ended on 30/6/2025
into the next unit, so the yearly grid carries notes), two thirds with one or two officers and
the rest reachable at their own address, 24 months of submissions (about 70 % of units comply
each month), then it times the sweep at the 3-days-before step of the last month, the same
sweep again (nothing new to send), the month report and the yearly grid, and their rendering
(grouped by kind with subtotals, CSV and XLSX), printing seconds and the SQL statements issued
(a SQLAlchemy `before_cursor_execute` counter).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pg import throwaway_database
from domain.deadlines import DeadlineRule, ReminderPlan
from domain.periods import TZ, month_bounds
from reports import render, xlsx
from reports.compliance import Rules, month_report, year_report
from reports.figures import MonthReport, YearReport
from scheduler.config import SchedulerConfig
from scheduler.service import remind_due
from storage import migrate
from storage.db import Database
from storage.models import Officer, Submission, Unit, UnitAddress, UnitSuccessor

T = TypeVar("T")
STATUSES = ["pending_review", "approved", "published", "published", "rejected", "withdrawn"]
LAST = "2025-12"  # the 24 months are 2024-01 .. 2025-12
KINDS = ["department", *["commune"] * 6, "ward", "ward", "press"]
ENDED = date(2025, 6, 30)


def periods(count: int) -> list[str]:
    out, year, month = [], 2025, 12
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(out)


async def seed(db: Database, units: int, months: int, rng: random.Random) -> int:
    """Bulk-insert the synthetic registry and submissions; the number of submissions."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    unit_rows = [
        {
            "code": f"u{i:05d}",
            "name": f"Đơn vị số {i:05d}",
            "kind": KINDS[i % len(KINDS)],
            "counted": True,
            "valid_to": ENDED if i % 20 == 19 else None,
            "successor_code": f"u{i + 1:05d}" if i % 20 == 19 else None,
            "name_key": f"don vi {i}",
            "created_at": start,
            "updated_at": start,
        }
        for i in range(units)
    ]
    successors = [
        {"unit_id": uid, "successor_id": uid + 1, "created_at": start}
        for uid in range(1, units)
        if (uid - 1) % 20 == 19
    ]
    officers, addresses, subs = [], [], []
    for uid in range(1, units + 1):
        if uid % 3:
            for k in range(1 + uid % 2):
                officers.append(
                    {
                        "unit_id": uid,
                        "full_name": f"Cán bộ {uid}-{k}",
                        "position": "Chuyên viên",
                        "email": f"cb{uid}-{k}@u.vn",
                        "phone": "+84912345678",
                        "name_key": "",
                        "active_from": start,
                        "created_at": start,
                    }
                )
        else:
            addresses.append({"unit_id": uid, "value": f"vanphong@u{uid}.vn"})
    n = 0
    for period in periods(months):
        first, end = month_bounds(period)
        span = int((end - first).total_seconds())
        for uid in range(1, units + 1):
            if period == LAST and rng.random() < 0.5:  # the month in progress: half sent so far
                continue
            for _ in range(rng.choice([0, 1, 1, 1, 2])):
                n += 1
                at = first + timedelta(
                    seconds=rng.randrange(span // 2 if period == LAST else span)
                )
                subs.append(
                    {
                        "channel": "email",
                        "kind": "news",
                        "title": f"Tin {n}",
                        "summary": "",
                        "text": "",
                        "code": f"{period}-{n:06d}",
                        "unit_id": uid,
                        "sender": "",
                        "sender_name": "",
                        "received_at": at,
                        "period": period,
                        "status": rng.choice(STATUSES),
                        "version": 1,
                        "revision": 1,
                        "warnings": [],
                        "updated_at": at,
                    }
                )
    async with db.engine.begin() as conn:
        for table, rows in (
            (Unit, unit_rows),
            (Officer, officers),
            (UnitAddress, addresses),
            (UnitSuccessor, successors),
            (Submission, subs),
        ):
            for i in range(0, len(rows), 5000):
                await conn.execute(insert(table.__table__), rows[i : i + 5000])  # type: ignore[attr-defined]
    return n


async def measured(db: Database, work: Callable[[], Awaitable[T]]) -> tuple[T, float, int]:
    """Run `work`; its result, wall seconds and SQL statements sent."""
    count = 0

    def counter(*_args: Any) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", counter)
    try:
        began = time.perf_counter()
        result = await work()
        return result, time.perf_counter() - began, count
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", counter)


async def run_size(url: str, units: int, months: int) -> list[tuple[str, float, int, str]]:
    migrate.upgrade(url)
    rule = DeadlineRule(day=25)
    config = SchedulerConfig(plan=ReminderPlan(deadline=rule), rules=Rules(deadline=rule))
    [step] = [s for s in config.plan.ladder(LAST) if s.name == "before-3"]
    now = step.at + timedelta(minutes=1)
    rows = []
    async with Database(url) as db:
        began = time.perf_counter()
        subs = await seed(db, units, months, random.Random(units))
        rows.append(("seed", time.perf_counter() - began, 0, f"{subs} submissions"))
        sweep, s, c = await measured(db, lambda: remind_due(db=db, config=config, now=now))
        rows.append(("reminder sweep", s, c, f"{len(sweep.new)} reminders queued"))
        again, s, c = await measured(db, lambda: remind_due(db=db, config=config, now=now))
        rows.append(("sweep again", s, c, f"{len(again.new)} new"))

        async def month() -> MonthReport:
            async with db.session() as session:
                return await month_report(
                    session=session, period="2025-11", rules=config.rules, now=now, internal=True
                )

        async def year() -> YearReport:
            async with db.session() as session:
                return await year_report(session=session, year=2025, rules=config.rules, now=now)

        month_figures, s, c = await measured(db, month)
        rows.append(("month report", s, c, f"{len(month_figures.rows)} rows"))
        year_figures, s, c = await measured(db, year)
        rows.append(("yearly report", s, c, f"{len(year_figures.rows)} rows x 12 months"))
        began = time.perf_counter()
        size = len(render.month_csv(month_figures)) + len(xlsx.month_xlsx(month_figures))
        size += len(render.year_csv(year_figures)) + len(xlsx.year_xlsx(year_figures))
        rows.append(("rendering", time.perf_counter() - began, 0, f"{size} bytes CSV+XLSX"))
    return rows


def measure(base: str | None, workdir: Path, units: int, months: int) -> list[Any]:
    """One size on a fresh database (a throwaway PostgreSQL database is dropped afterwards)."""
    if base is None:
        return asyncio.run(run_size(f"sqlite:///{workdir / f'bench-{units}.db'}", units, months))
    with throwaway_database(base, f"bench_{units}") as url:
        return asyncio.run(run_size(url, units, months))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--url", default=None, help="PostgreSQL admin URL (default: SQLite)")
    args = parser.parse_args()
    print(
        f"# {datetime.now(TZ):%Y-%m-%d %H:%M} {'PostgreSQL' if args.url else 'SQLite'}, "
        f"{args.months} months"
    )
    print(f"{'units':>6}  {'step':<15} {'seconds':>8} {'SQL':>5}  note")
    with tempfile.TemporaryDirectory() as tmp:
        for units in args.units:
            for name, seconds, statements, note in measure(
                args.url, Path(tmp), units, args.months
            ):
                print(f"{units:>6}  {name:<15} {seconds:>8.2f} {statements:>5}  {note}")


if __name__ == "__main__":
    main()
