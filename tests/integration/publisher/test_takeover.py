"""Another instance takes over a publication whose create's outcome is unknown: it pages back
through every newer article to find it, and resends only URLs that reach this instance."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from domain.states import PublicationStatus
from publisher.deps import make_deps
from publisher.policy import LEASE
from publisher.worker import PublishWorker
from storage.db import Database
from tests.integration.publisher.test_failures import drain
from tests.integration.publisher.world import World, make_world
from tests.support.ports import free_port

pytestmark = pytest.mark.integration


def dead_instance(world: World) -> PublishWorker:
    """A worker of an instance whose public address nobody can reach once it is gone."""
    web = world.settings.web.model_copy(
        update={"public_base_url": f"http://127.0.0.1:{free_port()}"}
    )
    settings = world.settings.model_copy(update={"web": web})
    deps = make_deps(
        settings=settings, db=world.db, files=world.files, http=world.http, clock=world.clock
    )
    return PublishWorker(deps)


async def killed_during_create(worker: PublishWorker, world: World, kind: str) -> None:
    world.fake.fail("/v2.0/article/create", kind)
    arrived = world.fake.arrival("/v2.0/article/create")
    task = asyncio.create_task(worker.run_once())
    await asyncio.wait_for(arrived.wait(), 10)
    if kind == "hang_after":  # Zalo goes on to create it although nobody hears the answer
        for _ in range(1000):
            if world.fake.live_articles():
                break
            await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_article_created_by_a_killed_instance_is_found_past_117_newer_ones(
    database: Database, tmp_path: Path
) -> None:
    """GIVEN an instance killed while Zalo created its article, and 117 articles published
    after it WHEN another instance takes the publication over THEN it adopts that article:
    exactly one on Zalo."""
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a", title="Bài của phiên bị dừng")
        await killed_during_create(world.fresh(), world, "hang_after")
        for index in range(117):
            world.advance(timedelta(seconds=2))
            world.fake.add_article(f"Bài đăng sau {index}")
        world.advance(LEASE)
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED
        ours = [a for a in world.fake.live_articles() if a["title"] == "Bài của phiên bị dừng"]
        assert len(ours) == 1 and pub.article_id == ours[0]["id"]
        creates = [r for r in world.fake.requests if r[1] == "/v2.0/article/create"]
        assert len(creates) == 1


async def test_a_listing_that_stops_short_never_leads_to_a_second_create(
    database: Database, tmp_path: Path
) -> None:
    """GIVEN an unknown create and a listing that cannot reach back to it WHEN the worker runs
    for an hour THEN it keeps waiting (outcome unknown) and creates nothing."""
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a", title="Bài chưa rõ kết quả")
        await killed_during_create(world.fresh(), world, "hang_after")
        for index in range(30):
            world.advance(timedelta(seconds=2))
            world.fake.add_article(f"Bài đăng sau {index}")
        world.fake.slice_max_offset = 20
        for _ in range(12):
            world.advance(timedelta(minutes=5))
            await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.CREATING, (pub.last_error, world.fake.requests)
        assert "reconcile" in (pub.last_error or "")
        creates = [r for r in world.fake.requests if r[1] == "/v2.0/article/create"]
        assert len(creates) == 1


async def test_taken_over_payload_gets_urls_of_this_instance(
    database: Database, tmp_path: Path
) -> None:
    """GIVEN an instance killed before Zalo acted on its create, its payload holding URLs under
    its own (now dead) address WHEN another instance takes over THEN the article is created
    once, with media URLs under the live address that Zalo can fetch."""
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a", images=2)
        await killed_during_create(dead_instance(world), world, "hang_before")
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.CREATING
        world.advance(LEASE)
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED, pub.last_error
        [article] = world.fake.live_articles()
        base = world.settings.web.public_base_url
        assert article["cover"]["photo_url"].startswith(base + "/media/")
        images = [b["url"] for b in article["body"] if b["type"] == "image"]
        assert images and all(url.startswith(base + "/media/") for url in images)


def named(world: World, instance: str) -> PublishWorker:
    settings = world.settings.model_copy(update={"instance_name": instance})
    deps = make_deps(
        settings=settings, db=world.db, files=world.files, http=world.http, clock=world.clock
    )
    return PublishWorker(deps)


async def test_a_restarted_instance_resumes_its_own_publication_at_once(
    database: Database, tmp_path: Path
) -> None:
    """GIVEN instance "a" killed mid-create WHEN another instance starts THEN it leaves the
    publication to the lease; WHEN "a" itself restarts THEN it resumes at once (no 5-minute
    wait), reconciles and publishes one article."""
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a")
        await killed_during_create(named(world, "a"), world, "hang_after")
        [pub] = await world.publications()
        assert (pub.status, pub.claimed_by) == (PublicationStatus.CREATING, "a")
        other = named(world, "b")
        assert await other.resume_own() == 0
        assert await other.run_once() == 0
        restarted = named(world, "a")
        assert await restarted.resume_own() == 1
        world.advance(timedelta(seconds=1))
        assert await restarted.run_once() == 1
        pub = await world.publication(pub.id or 0)
        assert pub.status == PublicationStatus.PUBLISHED, pub.last_error
        assert pub.claimed_by is None
        assert len(world.fake.live_articles()) == 1


async def test_a_waiting_publication_is_not_hurried_by_a_restart(
    database: Database, tmp_path: Path
) -> None:
    """A publication waiting for its slot (not being worked on) keeps its time."""
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a", publish_at=world.clock.now() + timedelta(hours=3))
        assert await named(world, "a").run_once() == 0
        [pub] = await world.publications()
        assert await named(world, "a").resume_own() == 0
        assert (await world.publication(pub.id or 0)).next_attempt_at == pub.next_attempt_at
