"""Publish benchmark: P approved submissions drained against the fake Zalo.

    .venv/bin/python bench/publish.py --submissions 100 --latency 0.05 --rate-limit 600

The fake answers every API call after `--latency` seconds and allows `--rate-limit` calls per
minute (then -32). Prints articles per minute, the share of the rate limit used, and the count
of -32 answers (the publisher paces itself: aim for none).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from datetime import time as dtime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from aiohttp import web
from PIL import Image

from domain.clock import SystemClock
from domain.kinds import Channel, UnitKind
from domain.states import PublicationStatus
from domain.states import SubmissionStatus as S
from intake.accept import Incoming, IncomingFile, accept
from publisher.deps import make_deps
from publisher.prepare import media_secret
from publisher.web import add_routes
from publisher.worker import PublishWorker
from publisher.zalo.oauth import TokenPair
from settings import Settings
from storage import migrate
from storage.db import Database
from storage.files import FileStore
from storage.publications import list_publications
from storage.registry import upsert_unit
from storage.submissions import transition
from tests.fakes.zalo_api import FakeZalo
from tests.support.ports import free_port


def photo(index: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (index * 37 % 256, 90, 160)).save(out, "JPEG", quality=90)
    return out.getvalue()


async def seed(db: Database, files: FileStore, count: int) -> None:
    """Approved submissions, each with one photo, through intake and an approval."""
    clock = SystemClock()
    async with db.session() as session:
        unit, _ = await upsert_unit(
            session=session,
            code="bench",
            name="Sở Thông tin và Truyền thông",
            kind=UnitKind.DEPARTMENT,
        )
        for index in range(count):
            incoming = Incoming(
                channel=Channel.EMAIL,
                source_key=f"bench:{index}",
                received_at=clock.now(),
                sender="bench@example.vn",
                title=f"Bài đo hiệu năng số {index}",
                text="Đoạn mở đầu của bài.\n\nĐoạn thứ hai.",
                unit_id=unit.id,
                files=[IncomingFile(photo(index), "anh.jpg", "image/jpeg", caption="Ảnh")],
            )
            sub = (await accept(incoming, session=session, files=files)).submission
            await transition(
                session=session,
                submission_id=sub.id or 0,
                expected_status=sub.status,
                expected_version=sub.version,
                new_status=S.APPROVED,
                actor="bench",
            )
        await session.commit()


def settings_for(args: argparse.Namespace, root: Path, fake: FakeZalo, port: int) -> Settings:
    budget = args.budget if args.budget is not None else int(args.rate_limit * 0.9)
    return Settings(
        data_dir=root / "data",
        database={"url": args.database or f"sqlite:///{root / 'bench.db'}"},  # type: ignore[arg-type]
        zalo={  # type: ignore[arg-type]
            "app_id": fake.app_id,
            "app_secret": fake.app_secret,
            "oauth_base": fake.url,
            "api_base": fake.url,
            "broadcast": False,
            "daily_max": 0,
            "publish_start": dtime(0, 0),
            "publish_end": dtime(23, 59, 59),
            "rate_limit_per_minute": budget,
        },
        web={"public_base_url": f"http://127.0.0.1:{port}"},  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )


async def drain(workers: list[PublishWorker], db: Database, count: int) -> None:
    while True:
        await asyncio.gather(*(w.run_once() for w in workers))
        async with db.session() as session:
            done = await list_publications(
                session=session, statuses=[PublicationStatus.PUBLISHED], limit=count + 1
            )
        if len(done) >= count:
            return
        await asyncio.sleep(0.2)  # waiting for the next minute's budget


async def main(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    port = free_port()
    async with FakeZalo(latency=args.latency, rate_limit=args.rate_limit) as fake:
        settings = settings_for(args, root, fake, port)
        migrate.upgrade(settings.database_url)
        files = FileStore(settings.files_dir)
        app = web.Application()
        add_routes(app, settings=settings, files=files, secret=media_secret(settings))
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        async with Database(settings.database_url) as db, httpx.AsyncClient() as http:
            await seed(db, files, args.submissions)
            deps = [
                make_deps(settings=settings, db=db, files=files, http=http, clock=SystemClock())
                for _ in range(args.workers)
            ]
            assert deps[0].keeper is not None
            pair = fake.seed_tokens()
            await deps[0].keeper.store_login(
                TokenPair(pair["access_token"], pair["refresh_token"], int(pair["expires_in"]))
            )
            fake.requests.clear()
            fake.per_minute.clear()
            started = time.perf_counter()
            await drain([PublishWorker(d) for d in deps], db, args.submissions)
            elapsed = time.perf_counter() - started
        await runner.cleanup()
    calls = len([r for r in fake.requests if r[1].startswith("/v2.0/")])
    minutes = elapsed / 60
    return {
        "submissions": args.submissions,
        "workers": args.workers,
        "latency_s": args.latency,
        "rate_limit_per_min": args.rate_limit,
        "elapsed_s": round(elapsed, 2),
        "articles": len(fake.live_articles()),
        "articles_per_min": round(args.submissions / minutes, 1),
        "api_calls": calls,
        "calls_per_min": round(calls / minutes, 1),
        "busiest_minute_calls": max(fake.per_minute.values(), default=0),
        "busiest_minute_share": round(
            max(fake.per_minute.values(), default=0) / args.rate_limit, 3
        ),
        "calls_per_clock_minute": [fake.per_minute[m] for m in sorted(fake.per_minute)],
        "minus_32_answers": fake.rate_limited,
    }


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Zalo call")
    parser.add_argument("--rate-limit", type=int, default=600, help="Zalo calls per minute")
    parser.add_argument(
        "--budget",
        type=int,
        default=None,
        help="our pacing per minute (default 90%% of --rate-limit)",
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", default="", help="database URL (default: temp SQLite)")
    return parser.parse_args()


if __name__ == "__main__":
    for key, value in asyncio.run(main(parse())).items():
        print(f"{key:20} {value}")
