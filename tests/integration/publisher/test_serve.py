"""`serve` runs the publisher: Zalo fetches images from serve's own HTTP server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from domain.clock import FixedClock
from domain.states import PublicationStatus
from runtime.serve import serve
from storage.db import Database
from storage.models import Publication
from tests.integration.publisher.world import START, make_world
from tests.support.ports import free_port

pytestmark = pytest.mark.integration


async def published(db: Database) -> list[Publication]:
    async with db.session() as session:
        rows = (await session.exec(select(Publication))).all()
    return [p for p in rows if p.status == PublicationStatus.PUBLISHED]


async def test_serve_publishes_through_its_own_media_route(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a")
        port = free_port()
        settings = world.settings.model_copy(
            update={
                "web": world.settings.web.model_copy(
                    update={"port": port, "public_base_url": f"http://127.0.0.1:{port}"}
                )
            }
        )
        stop, ready = asyncio.Event(), asyncio.Event()
        clock = FixedClock(START)
        world.fake.now = lambda: clock.now().timestamp()
        task = asyncio.create_task(serve(settings, stop=stop, clock=clock, ready=ready))
        await asyncio.wait_for(ready.wait(), 30)
        for _ in range(300):
            if await published(world.db):
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 30)
        [pub] = await published(world.db)
        [article] = world.fake.live_articles()
        assert article["cover"]["photo_url"].startswith(f"http://127.0.0.1:{port}/media/")
        assert pub.article_id == article["id"]
        async with httpx.AsyncClient() as http:
            # The server is gone with serve; the fake fetched the image while it ran.
            with pytest.raises(httpx.ConnectError):
                await http.get(article["cover"]["photo_url"])


async def test_an_approval_wakes_the_publisher_through_the_context(
    database: Database, tmp_path: Path
) -> None:
    """GIVEN serve with every default factory, the publisher idle after its first pass (its
    poll is 10 s) WHEN an approval is stored and the context's wake_publisher is called, as
    the bot and the console do THEN the publication is made at once, not at the next poll: the
    wake-up call handed out before the publisher existed reaches it."""
    from runtime.components import FACTORIES
    from runtime.context import AppContext, Component

    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a")  # published by the first pass: it tells when that is over
        port = free_port()
        settings = world.settings.model_copy(
            update={
                "web": world.settings.web.model_copy(
                    update={"port": port, "public_base_url": f"http://127.0.0.1:{port}"}
                )
            }
        )
        contexts: list[AppContext] = []

        async def probe(ctx: AppContext) -> tuple[Component | None, str]:
            contexts.append(ctx)
            return None, "probe"

        stop, ready = asyncio.Event(), asyncio.Event()
        clock = FixedClock(START)
        world.fake.now = lambda: clock.now().timestamp()
        factories = [("probe", probe), *FACTORIES]  # the probe runs first: nothing connected
        task = asyncio.create_task(
            serve(settings, stop=stop, clock=clock, ready=ready, factories=factories)
        )
        await asyncio.wait_for(ready.wait(), 30)
        for _ in range(600):
            if await published(world.db):
                break
            await asyncio.sleep(0.05)
        await world.approved("b")
        [ctx] = contexts
        ctx.wake_publisher()
        for _ in range(100):  # 5 s, half the poll interval
            if len(await published(world.db)) == 2:
                break
            await asyncio.sleep(0.05)
        done = await published(world.db)
        stop.set()
        await asyncio.wait_for(task, 30)
        assert len(done) == 2
