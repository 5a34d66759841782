"""Reach benchmark: the daily sync of N published articles against the fake Zalo, and the
reports' SQL statements with and without the reach columns.

    .venv/bin/python bench/reach.py                                  # 5,000 articles, SQLite
    .venv/bin/python bench/reach.py --articles 5000 --budget 200     # slower pacing
    .venv/bin/python bench/reach.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test

The OA holds the N articles Newsdesk published (the newest) plus `--foreign` older articles
other tools posted and `--videos` video articles. In the same run it measures:

- sync: `sync_reach` as shipped (pages of `--page-size`, stops once every tracked article is
  seen, its own per-minute budget `--budget`); then the same sync again the same day;
- baseline: the straightforward sync, every page of both lists to their end, through the same
  client and budget;

and prints for each the Zalo calls, the busiest clock minute against Zalo's 4,000 and our
budget, the -32 answers and the seconds. Minutes are virtual: when the budget is spent the
sync's wait moves the shared clock to the next minute instead of sleeping (the fake counts
per minute of that clock). Then it counts the SQL statements of the month and yearly reports
without and with reach at N/10 and N articles (30 days of daily readings each): the count
must not grow with the number of articles.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pg import throwaway_database
from bench.reminders import measured
from domain.periods import TZ, to_local
from publisher.reach import KINDS, SyncOptions, stats_client, sync_reach
from publisher.tokens import TokenKeeper
from publisher.zalo.client import ZaloClient
from publisher.zalo.oauth import TokenPair
from reports.compliance import Rules, month_report, year_report
from reports.reach import with_reach, with_year_reach
from settings import Settings
from storage import migrate
from storage.db import Database
from storage.models import ArticleStat, Publication, Submission, Unit
from storage.rows import table_of
from tests.fakes.zalo_api import FakeZalo

T = TypeVar("T")
ZALO_LIMIT = 4000
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


class VirtualClock:
    """Wall time plus an offset that waits move forward (the budget and the fake share it)."""

    def __init__(self) -> None:
        self.offset = (NOW - datetime.now(UTC)).total_seconds()

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    async def next_minute(self) -> None:
        now = self.now()
        self.offset += 60 - now.second - now.microsecond / 1e6


async def seed(db: Database, articles: int, *, days: int = 30, units: int = 30) -> list[str]:
    """Units, one published submission per article, `days` of daily readings; article ids."""
    start = NOW - timedelta(days=300)
    step = timedelta(days=299) / max(articles, 1)
    unit_rows = [
        {"code": f"u{i:03d}", "name": f"Đơn vị {i:03d}", "kind": "department", "counted": True,
         "name_key": f"don vi {i}", "created_at": start, "updated_at": start}
        for i in range(units)
    ]  # fmt: skip
    subs, pubs, ids = [], [], []
    for n in range(articles):
        at = start + step * n
        period = to_local(at).strftime("%Y-%m")
        subs.append({
            "channel": "email", "kind": "news", "title": f"Tin {n}", "summary": "", "text": "",
            "code": f"{period}-{n:06d}", "unit_id": 1 + n % units, "sender": "",
            "sender_name": "", "received_at": at, "period": period, "status": "published",
            "version": 1, "revision": 1, "warnings": [], "updated_at": at,
        })  # fmt: skip
        ids.append(f"nd{n}")
        pubs.append({
            "submission_id": n + 1, "revision": 1, "target": "zalo", "status": "published",
            "version": 1, "dry_run": False, "broadcast": False, "due_at": at,
            "article_id": ids[-1], "payload": {}, "attempts": 0, "next_attempt_at": at,
            "created_at": at, "updated_at": at, "published_at": at,
        })  # fmt: skip
    readings = [
        {"article_id": a, "day": (NOW - timedelta(days=d)).astimezone(TZ).date(),
         "views": 10 * (days - d), "shares": 0, "read_at": NOW}
        for d in range(1, days + 1)
        for a in ids
    ]  # fmt: skip
    async with db.engine.begin() as conn:
        for model, rows in ((Unit, unit_rows), (Submission, subs), (Publication, pubs),
                            (ArticleStat, readings)):  # fmt: skip
            for i in range(0, len(rows), 5000):
                await conn.execute(insert(table_of(model)), rows[i : i + 5000])
    return ids


def fill_fake(fake: FakeZalo, ids: list[str], *, foreign: int, videos: int) -> None:
    """Newsdesk's articles (newest), older foreign ones, and a video list."""
    base = int(NOW.timestamp() * 1000)
    for n, article_id in enumerate(ids):
        fake.articles[article_id] = {"id": article_id, "type": "normal", "title": f"Tin {n}",
                                     "create_date": base - (len(ids) - n) * 1000,
                                     "total_view": 100 + n, "total_share": n % 7}  # fmt: skip
    for n in range(foreign):
        fake.articles[f"f{n}"] = {"id": f"f{n}", "type": "normal", "title": "Khác",
                                  "create_date": base - 10**9 - n}  # fmt: skip
    for n in range(videos):
        fake.articles[f"v{n}"] = {"id": f"v{n}", "type": "video", "title": "Video",
                                  "create_date": base - n}  # fmt: skip
    fake.followers = 123_456


async def baseline(client: ZaloClient, page_size: int, wait: Callable[[], Awaitable[None]]) -> int:
    """Every page of both lists to the end, plus the follower count; the calls made."""
    from publisher.zalo.errors import ZaloRateLimited

    calls = 0

    async def call(work: Callable[[], Awaitable[Any]]) -> Any:
        nonlocal calls
        while True:
            calls += 1
            try:
                return await work()
            except ZaloRateLimited as exc:
                calls -= exc.code is None  # our own budget refused: nothing reached Zalo
                await wait()

    for kind in KINDS:
        offset = 0
        while True:
            items, total = await call(
                lambda o=offset, k=kind: client.list_articles(offset=o, limit=page_size, kind=k)  # type: ignore[misc]
            )
            offset += len(items)
            if not items or offset >= total:
                break
    await call(client.follower_total)
    return calls


def minutes_from(fake: FakeZalo, first: int) -> list[int]:
    return [fake.per_minute[m] for m in sorted(fake.per_minute) if m >= first]


async def sync_runs(url: str, args: argparse.Namespace) -> list[tuple[str, str]]:
    migrate.upgrade(url)
    clock = VirtualClock()
    out: list[tuple[str, str]] = []
    async with FakeZalo(now=lambda: clock.now().timestamp(), rate_limit=ZALO_LIMIT) as fake:
        settings = Settings(
            data_dir=Path(tempfile.mkdtemp(prefix="bench-reach-")),
            database={"url": url},  # type: ignore[arg-type]
            zalo={"app_id": fake.app_id, "app_secret": fake.app_secret,  # type: ignore[arg-type]
                  "oauth_base": fake.url, "api_base": fake.url,
                  "stats_calls_per_minute": args.budget},
            _env_file=None,  # type: ignore[call-arg]
        )  # fmt: skip
        async with Database(url) as db, httpx.AsyncClient(timeout=10) as http:
            ids = await seed(db, args.articles, days=1)
            fill_fake(fake, ids, foreign=args.foreign, videos=args.videos)
            pair = fake.seed_tokens()
            await TokenKeeper(db, http, settings, clock=clock).store_login(
                TokenPair(pair["access_token"], pair["refresh_token"], int(pair["expires_in"]))
            )
            options = SyncOptions(page_size=args.page_size)
            for name in ("sync", "sync again"):
                first = int(clock.now().timestamp() // 60) + 1
                await clock.next_minute()  # start on a fresh minute
                client = stats_client(settings, http, db, clock)
                began, limited = time.perf_counter(), fake.rate_limited
                result = await sync_reach(db=db, client=client, now=clock.now(),
                                          options=options, wait=clock.next_minute)  # fmt: skip
                seconds = time.perf_counter() - began
                per_minute = minutes_from(fake, first)
                done = (
                    "day already done"
                    if result.already_done
                    else f"{result.stored} of {result.tracked} stored"
                )
                out.append((name, (
                    f"{result.calls:>5} calls, {done}, "
                    f"busiest minute {max(per_minute, default=0)} (budget {args.budget}, Zalo "
                    f"{ZALO_LIMIT}), {len(per_minute)} minute(s), {result.waits} waits, "
                    f"{fake.rate_limited - limited} x -32, {seconds:.2f} s"
                )))  # fmt: skip
            first = int(clock.now().timestamp() // 60) + 1
            await clock.next_minute()
            client = stats_client(settings, http, db, clock)
            assert client is not None
            began, limited = time.perf_counter(), fake.rate_limited
            calls = await baseline(client, args.page_size, clock.next_minute)
            seconds = time.perf_counter() - began
            per_minute = minutes_from(fake, first)
            out.append(("baseline", (
                f"{calls:>5} calls (all pages of both lists), busiest minute "
                f"{max(per_minute, default=0)}, {len(per_minute)} minute(s), "
                f"{fake.rate_limited - limited} x -32, {seconds:.2f} s"
            )))  # fmt: skip
    return out


async def report_runs(url: str, articles: int) -> list[tuple[str, str]]:
    migrate.upgrade(url)
    out = []
    async with Database(url) as db:
        await seed(db, articles)
        period = to_local(NOW - timedelta(days=35)).strftime("%Y-%m")

        async def month(reach: bool) -> int:
            async with db.session() as session:
                r = await month_report(session=session, period=period, rules=Rules(), now=NOW)
                if reach:
                    r = await with_reach(session=session, report=r)
                return len(r.rows)

        async def year(reach: bool) -> int:
            async with db.session() as session:
                r = await year_report(session=session, year=2026, rules=Rules(), now=NOW)
                if reach:
                    r = await with_year_reach(session=session, report=r)
                return len(r.rows)

        works: list[tuple[str, Callable[[bool], Awaitable[int]]]] = [
            ("month report", month), ("yearly report", year),
        ]  # fmt: skip
        for name, work in works:
            for reach in (False, True):
                _, seconds, sql = await measured(db, partial(work, reach))
                label = f"{name}{' + reach' if reach else ''}"
                out.append((label, f"{sql:>3} SQL, {seconds:.2f} s"))
    return out


def on_database(base: str | None, workdir: Path, name: str, work: Callable[[str], Any]) -> Any:
    if base is None:
        return asyncio.run(work(f"sqlite:///{workdir / f'{name}.db'}"))
    with throwaway_database(base, f"bench_{name}") as url:
        return asyncio.run(work(url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--foreign", type=int, default=2000, help="older articles of others")
    parser.add_argument("--videos", type=int, default=300, help="video articles on the OA")
    parser.add_argument("--page-size", type=int, default=10)
    parser.add_argument("--budget", type=int, default=600, help="sync calls per minute")
    parser.add_argument("--url", default=None, help="PostgreSQL admin URL (default: SQLite)")
    args = parser.parse_args()
    print(
        f"# {datetime.now(TZ):%Y-%m-%d %H:%M} {'PostgreSQL' if args.url else 'SQLite'}, "
        f"{args.articles} articles + {args.foreign} foreign + {args.videos} videos, "
        f"page {args.page_size}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, note in on_database(args.url, Path(tmp), "sync", lambda u: sync_runs(u, args)):
            print(f"{args.articles:>6}  {name:<22} {note}")
        for size in sorted({max(args.articles // 10, 1), args.articles}):
            rows = on_database(args.url, Path(tmp), f"reports{size}",
                               lambda u, s=size: report_runs(u, s))  # fmt: skip
            for name, note in rows:
                print(f"{size:>6}  {name:<22} {note}")


if __name__ == "__main__":
    main()
