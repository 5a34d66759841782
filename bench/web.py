"""Web console benchmark: the compliance board for 5,000 units x 24 months of submissions and the
review desk with 10,000 waiting submissions (plus a diacritic-insensitive search over them).

For each page: p50/p95 render time over real HTTP (aiohttp's test server on loopback, logged in
with a session cookie) and the number of SQL statements per page, beside a bare aiohttp
handler returning the same bytes on the same server in the same run, and the ratio of the p95s.
Each size is seeded in a database of its own; the statement counts of the sizes side by side
show whether they grow with the data.

    .venv/bin/python bench/web.py [--sizes 500:1000 5000:10000] [--runs 30] [--database-url URL]

(a size is UNITS:WAITING).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from sqlalchemy import event, insert  # noqa: E402

from domain.clock import FixedClock  # noqa: E402
from domain.kinds import UnitKind, unit_order_key  # noqa: E402
from domain.states import SubmissionStatus as S  # noqa: E402
from settings import Settings  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.files import FileStore  # noqa: E402
from storage.logins import Role, issue_link, redeem_link  # noqa: E402
from storage.models import Submission, Unit  # noqa: E402
from storage.registry import create_editor  # noqa: E402
from web.console.app import setup_console  # noqa: E402
from web.console.deps import ConsoleDeps  # noqa: E402
from web.console.security import SESSION_COOKIE  # noqa: E402
from web.server import create_app  # noqa: E402

NOW = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
KINDS = [UnitKind.DEPARTMENT, UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.PRESS]
STATUSES = [S.PUBLISHED, S.APPROVED, S.REJECTED, S.SCHEDULED]
WORDS = ["Hà Nội", "Thái Bình", "hội nghị", "tiêm chủng", "chuyển đổi số", "an toàn giao thông"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def seed(db: Database, units: int, waiting: int) -> None:
    """Units, 24 months of decided submissions (~60% of unit-months), `waiting` for review."""
    now = NOW
    unit_rows = [
        {
            "code": f"u{i:05d}",
            "name": f"Đơn vị số {i}",
            "name_key": f"don vi so {i}",
            "order_key": unit_order_key(KINDS[i % len(KINDS)].value, f"Đơn vị số {i}"),
            "kind": KINDS[i % len(KINDS)].value,
            "counted": True,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(units)
    ]
    periods = [f"{2025 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
    subs: list[dict[str, Any]] = []
    n = 0
    for unit in range(units):
        for m, period in enumerate(periods):
            if (unit * 7 + m) % 5 < 3:
                n += 1
                subs.append(_sub(n, unit + 1, period, STATUSES[n % len(STATUSES)], m))
    for i in range(waiting):
        n += 1
        subs.append(_sub(n, i % units + 1, periods[-1], S.PENDING_REVIEW, 23))
    async with db.session() as session:
        await session.exec(insert(Unit), params=unit_rows)  # type: ignore[call-overload]
        for start in range(0, len(subs), 5000):
            await session.exec(insert(Submission), params=subs[start : start + 5000])  # type: ignore[call-overload]
        await session.commit()
    print(f"seeded {units} units, {len(subs)} submissions ({waiting} waiting)", flush=True)


def _sub(n: int, unit_id: int, period: str, status: S, month: int) -> dict[str, Any]:
    year, mon = int(period[:4]), int(period[5:])
    at = datetime(year, mon, 5 + n % 20, 2, 0, tzinfo=UTC)
    word = WORDS[n % len(WORDS)]
    return {
        "channel": "email",
        "kind": "news",
        "title": f"Tin {n} về {word}",
        "summary": "",
        "text": f"Nội dung tin số {n}: {word}. " * 8,
        "code": f"{period}-{n:06d}",
        "unit_id": unit_id,
        "sender": "bench@example.vn",
        "sender_name": "",
        "received_at": at,
        "period": period,
        "status": status.value,
        "version": 1,
        "revision": 1,
        "warnings": [],
        "updated_at": at,
    }


async def run(url: str, units: int, waiting: int, runs: int) -> None:
    migrate.upgrade(url)
    async with Database(url) as db:
        await seed(db, units, waiting)
        async with db.session() as session:
            editor = await create_editor(session=session, full_name="Biên tập viên")
            assert editor.id is not None
            token = await issue_link(
                session=session, role=Role.EDITOR, now=NOW, via="bench", editor_id=editor.id
            )
            session_token, _ = await redeem_link(session=session, token=token, now=NOW, client="")
            await session.commit()
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        app = create_app(db)
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp))
            setup_console(
                app,
                ConsoleDeps(
                    db=db, settings=settings, clock=FixedClock(NOW), files=FileStore(Path(tmp))
                ),
            )
            bodies: dict[str, bytes] = {}

            async def bare(request: web.Request) -> web.Response:
                return web.Response(
                    body=bodies[request.match_info["name"]], content_type="text/html"
                )

            app.router.add_get("/bare/{name}", bare)
            pages = {
                "board": "/?nam=2026",
                "board p.2": "/?nam=2026&trang=2",
                "desk": "/duyet",
                "desk search": "/duyet?q=ha+noi",
            }
            async with TestClient(TestServer(app)) as client:
                client.session.cookie_jar.update_cookies({SESSION_COOKIE: session_token})
                print(f"{'page':<12} {'bytes':>9} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8} "
                      f"{'bare p95':>9} {'ratio':>6}")  # fmt: skip
                for warm in pages.values():  # the first search indexes the texts (once)
                    await (await client.get(warm)).read()
                for name, path in pages.items():
                    first = await client.get(path)
                    assert first.status == 200, (path, first.status)
                    bodies[name] = await first.read()
                    statements = 0
                    await (await client.get(path)).read()
                    per_page = statements
                    times = await _times(client, path, runs)
                    bare_times = await _times(client, f"/bare/{name}", runs)
                    p95, bare_p95 = percentile(times, 95), percentile(bare_times, 95)
                    print(
                        f"{name:<12} {len(bodies[name]):>9} {per_page:>8} "
                        f"{statistics.median(times):>8.1f} {p95:>8.1f} {bare_p95:>9.1f} "
                        f"{p95 / bare_p95:>6.1f}",
                        flush=True,
                    )


async def _times(client: TestClient, path: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        response = await client.get(path)
        await response.read()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["500:1000", "5000:10000"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default="", help="PostgreSQL server (a throwaway db)")
    args = parser.parse_args()
    for size in args.sizes:
        units, waiting = (int(n) for n in size.split(":"))
        if args.database_url:
            from bench.pg import throwaway_database

            with throwaway_database(args.database_url, "bench_web") as url:
                asyncio.run(run(url, units, waiting, args.runs))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(run(f"sqlite:///{tmp}/bench.db", units, waiting, args.runs))


if __name__ == "__main__":
    os.environ.setdefault("NEWSDESK_LOG__LEVEL", "WARNING")
    main()
