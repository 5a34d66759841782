"""The daily reach sync against the fake Zalo: paging, once a day, resuming, the rate limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from domain.periods import to_local
from publisher.reach import SyncOptions, stats_client, sync_reach
from publisher.zalo.errors import ZaloRejected
from storage.db import Database
from storage.models import ArticleStat, OaStat
from tests.integration.publisher.world import World, make_world

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 26)  # the world's START, local


class Crash(Exception):
    """The process dies while waiting."""


async def published(world: World, count: int) -> list[str]:
    """`count` articles published through the real worker; their Zalo ids, oldest first."""
    for n in range(count):
        await world.approved(f"r{n}", title=f"Bài số {n}")
    assert await world.fresh().run_once() == count
    ids = [p.article_id for p in await world.publications()]
    assert all(ids)
    return [str(i) for i in ids]


def foreign(world: World, count: int) -> None:
    """Articles other tools put on the OA later (newer, so listed first)."""
    base = int(world.clock.now().timestamp() * 1000) + 60_000
    for n in range(count):
        world.fake.articles[f"other{n}"] = {
            "id": f"other{n}", "type": "normal", "title": f"Khác {n}", "status": "show",
            "create_date": base + n, "total_view": 999,
        }  # fmt: skip


async def stats(world: World) -> list[tuple[str, date, int, int]]:
    async with world.db.session() as session:
        rows = (await session.exec(select(ArticleStat).order_by(col(ArticleStat.id)))).all()
        return sorted((r.article_id, r.day, r.views, r.shares) for r in rows)


async def followers(world: World) -> dict[date, int]:
    async with world.db.session() as session:
        return {r.day: r.followers for r in (await session.exec(select(OaStat))).all()}


def slices(world: World) -> int:
    return sum(1 for _, path in world.fake.requests if path == "/v2.0/article/getslice")


async def sync(world: World, **kw: Any) -> Any:
    client = stats_client(world.settings, world.http, world.db, world.clock)
    wait = kw.pop("wait", None)
    return await sync_reach(
        db=world.db, client=client, now=world.clock.now(), options=SyncOptions(**kw), wait=wait
    )


async def test_one_row_per_article_and_day_paged_and_idempotent(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        ids = await published(world, 3)
        foreign(world, 25)  # 28 articles: ours are on the third page of ten
        for n, article_id in enumerate(ids):
            world.fake.set_reach(article_id, views=100 * (n + 1), shares=n)
        world.fake.followers = 1200
        result = await sync(world, page_size=10)
        assert (result.tracked, result.stored, result.unseen) == (3, 3, 0)
        assert result.followers == 1200 and result.calls == 4  # 3 pages + the follower list
        assert slices(world) == 3
        assert ("GET", "/v3.0/oa/user/getlist") in world.fake.requests
        expected = sorted((a, DAY, 100 * (n + 1), n) for n, a in enumerate(ids))
        assert await stats(world) == expected
        assert await followers(world) == {DAY: 1200}

        # Again the same day: nothing asked, nothing added.
        before = len(world.fake.requests)
        again = await sync(world)
        assert again.already_done and again.calls == 0 and again.followers == 1200
        assert len(world.fake.requests) == before
        assert await stats(world) == expected

        # The next day: new totals in new rows; yesterday's stay.
        world.fake.next_day({ids[0]: 50, ids[2]: 7}, shares={ids[0]: 2}, followers=35)
        world.advance(timedelta(days=1))
        result = await sync(world)
        assert result.stored == 3 and result.followers == 1235
        tomorrow = DAY + timedelta(days=1)
        rows = await stats(world)
        assert len(rows) == 6
        assert (ids[0], tomorrow, 150, 2) in rows and (ids[2], tomorrow, 307, 2) in rows
        assert (ids[0], DAY, 100, 0) in rows
        assert await followers(world) == {DAY: 1200, tomorrow: 1235}

        # A forced refresh the same day replaces the day's figures, still one row each.
        world.fake.set_reach(ids[1], views=999)
        await sync(world, force=True)
        rows = await stats(world)
        assert len(rows) == 6 and (ids[1], tomorrow, 999, 0) in rows


async def test_a_crash_mid_way_resumes_at_the_page_it_reached(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        ids = await published(world, 2)
        foreign(world, 25)
        world.fake.set_reach(ids[0], views=10)
        world.advance(timedelta(minutes=1))  # a fresh minute: publishing used the last one
        world.fake.rate_limit = 2  # X-RateLimit-Remain 0 after two calls: the client stops ...

        async def die() -> None:  # ... and the process is killed while it waits
            raise Crash

        with pytest.raises(Crash):
            await sync(world, page_size=10, wait=die)
        assert slices(world) == 2 and world.fake.rate_limited == 0
        assert await stats(world) == []  # pages one and two had none of ours
        world.fake.rate_limit = 4000
        result = await sync(world, page_size=10)
        # Resumed at offset 20: the third page only, not the first two again.
        assert slices(world) == 3 and result.stored == 2
        assert sorted(a for a, *_ in await stats(world)) == sorted(ids)


async def test_rate_limit_waits_for_the_next_minute(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path, broadcast=False, stats_calls_per_minute=2) as world:
        await world.login()
        await published(world, 2)
        foreign(world, 45)  # five pages, two calls a minute by our own budget
        world.advance(timedelta(minutes=1))
        first_minute = int(world.clock.now().timestamp() // 60)
        waits = []

        async def next_minute() -> None:
            waits.append(world.clock.now())
            world.advance(timedelta(seconds=60))

        result = await sync(world, page_size=10, wait=next_minute)
        assert result.stored == 2 and result.followers == 0
        assert slices(world) == 5  # the budget refuses locally: Zalo never says -32
        assert world.fake.rate_limited == 0
        per_minute = [n for m, n in world.fake.per_minute.items() if m >= first_minute]
        assert per_minute == [2, 2, 2] and len(waits) == 2  # 5 pages + the follower list
        assert result.calls == 6 and result.waits == 2  # refusals by our budget are no calls


async def test_zalo_refusing_minute_is_waited_out(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await published(world, 1)
        foreign(world, 30)
        # Another tool on the same app id spent the minute: Zalo answers -32 twice.
        world.fake.fail("/v2.0/article/getslice", -32, count=2, message="Your application "
                        "reached limit call api")  # fmt: skip

        async def next_minute() -> None:
            world.advance(timedelta(seconds=60))

        result = await sync(world, page_size=10, wait=next_minute)
        assert result.stored == 1 and result.waits == 2
        assert slices(world) == 4 + 2  # four pages, two of them asked twice


async def test_page_size_over_the_fake_limit_is_refused(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await published(world, 1)
        with pytest.raises(ZaloRejected) as caught:
            await sync(world, page_size=20)
        assert caught.value.code == -210
        assert await stats(world) == []


async def test_without_credentials_nothing_is_read_or_invented(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, live=False) as world:
        await world.approved("d")
        await world.fresh().run_once()  # a dry-run publication
        assert stats_client(world.settings, world.http, world.db, world.clock) is None
        result = await sync(world)
        assert result.dry_run and result.followers is None
        assert world.fake.requests == []
        assert await stats(world) == [] and await followers(world) == {}


async def test_cli_and_the_daily_job(database: Database, tmp_path: Path) -> None:
    from runtime.context import AppContext
    from runtime.scheduler import build_scheduler
    from tests.integration.publisher.test_cli_web import cli

    async with make_world(database, tmp_path, broadcast=False) as world:
        # The command reads the wall clock: put the world at today's 10:00 in Vietnam.
        wall = to_local(datetime.now(UTC)).replace(hour=10, minute=0, second=0, microsecond=0)
        world.clock.set(wall)
        await world.login()
        ids = await published(world, 2)
        world.fake.set_reach(ids[0], views=321)
        world.fake.followers = 4321
        code, out = await cli(world, "zalo", "status")
        assert code == 0 and "Số liệu OA:              — (chưa đồng bộ" in out
        code, out = await cli(world, "zalo", "stats", "sync")
        assert code == 0, out
        assert "đọc 2/2 bài" in out and "người quan tâm: 4.321" in out
        code, out = await cli(world, "zalo", "stats", "sync")
        assert code == 0 and "đã đồng bộ xong; không gọi Zalo" in out
        code, out = await cli(world, "zalo", "status")
        today = f"{to_local(datetime.now(UTC)):%d/%m/%Y}"
        assert f"Số liệu OA gần nhất:     ngày {today}, 4.321 người quan tâm" in out
        code, out = await cli(world, "zalo", "stats", "sync", live=False)
        assert code == 0 and "CHẠY THỬ" in out and "«—»" in out

        ctx = AppContext(settings=world.settings, db=world.db, files=world.files,
                         clock=world.clock, http=world.http,
                         web_app=None)  # type: ignore[arg-type]  # fmt: skip
        component, line = await build_scheduler(ctx)
        assert component is not None and line.endswith("; reach-sync 22:30")
        [job] = component.daily
        world.fake.next_day({ids[1]: 5})
        world.advance(timedelta(days=1))  # tomorrow 10:00: the start-up run finds it not due
        before = len(world.fake.requests)
        assert await job.run() is None and len(world.fake.requests) == before
        world.clock.set(world.clock.now().replace(hour=15, minute=31))  # 22:31 in Vietnam
        result = await job.run()
        assert result.stored == 2  # type: ignore[attr-defined]

    async with make_world(database, tmp_path / "dry", live=False) as world:
        ctx = AppContext(settings=world.settings, db=world.db, files=world.files,
                         clock=world.clock, http=world.http,
                         web_app=None)  # type: ignore[arg-type]  # fmt: skip
        component, line = await build_scheduler(ctx)
        assert component is not None and component.daily == () and "reach" not in line


async def test_a_removed_article_is_no_longer_read_but_still_counted(
    database: Database, tmp_path: Path
) -> None:
    from domain.states import PublicationStatus
    from reports.compliance import Rules, month_report
    from reports.reach import with_reach
    from storage.publications import transition

    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        ids = await published(world, 2)
        world.fake.set_reach(ids[0], views=40)
        world.fake.set_reach(ids[1], views=7)
        await sync(world)
        # An editor removes the second article (as `publish remove` does).
        [_, pub] = await world.publications()
        await world.fresh().deps.client.remove_article(ids[1])  # type: ignore[union-attr]
        async with world.db.session() as session:
            assert await transition(session=session, publication=pub, now=world.clock.now(),
                                    target=PublicationStatus.REMOVED, actor="cli")  # fmt: skip
            await session.commit()
        world.fake.next_day({ids[0]: 10})
        world.advance(timedelta(days=1))
        result = await sync(world)
        assert (result.tracked, result.stored, result.unseen) == (1, 1, 0)
        async with world.db.session() as session:
            report = await month_report(
                session=session, period="2026-11", rules=Rules(), now=world.clock.now()
            )
            report = await with_reach(session=session, report=report)
        assert report.reach is not None
        unit = report.reach.of("ubnd-kien-xuong")
        assert (unit.articles, unit.views) == (2, 50 + 7)  # the removed one: its last reading
