"""Timeouts, 5xx, -32, -214, -216/-220, permanent errors: documented behaviour, no duplicate."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from domain.states import PublicationStatus
from domain.states import SubmissionStatus as S
from publisher.service import retry_publication
from storage.db import Database
from storage.models import Publication
from storage.submissions import list_attachments
from tests.integration.publisher.world import World, make_world

pytestmark = pytest.mark.integration
TERMINAL = {PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.REMOVED}


async def drain(
    world: World, *, every: timedelta = timedelta(seconds=30), rounds: int = 40
) -> Publication:
    """Run the worker, moving the clock on, until the only publication settles."""
    for _ in range(rounds):
        await world.fresh().run_once()
        [pub] = await world.publications()
        if pub.status in TERMINAL:
            return pub
        world.advance(every)
    raise AssertionError(f"did not settle: {pub.status} {pub.last_error}")


@pytest.mark.parametrize("kind", ["hang_after", "5xx_after", "hang_before", "5xx"])
async def test_create_with_unknown_outcome_is_reconciled(
    database: Database, tmp_path: Path, kind: str
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.approved("a")
        world.fake.fail("/article/create", kind)
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.CREATING
        assert "outcome unknown" in (pub.last_error or "")
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED
        assert len(world.fake.live_articles()) == 1
        creates = [r for r in world.fake.requests if r[1] == "/v2.0/article/create"]
        assert len(creates) == (1 if kind.endswith("after") else 2)
        assert ("GET", "/v2.0/article/getslice") in world.fake.requests


async def cancel_during(world: World, path: str) -> None:
    """Kill a worker pass while Zalo holds the call at `path` (after acting on it)."""
    world.fake.fail(path, "hang_after")
    arrived = world.fake.arrival(path)
    task = asyncio.create_task(world.fresh().run_once())
    await asyncio.wait_for(arrived.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_killed_during_create_then_restarted(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.approved("a")
        await cancel_during(world, "/v2.0/article/create")
        [pub] = await world.publications()
        assert (pub.status, pub.payload["create_attempts"]) == (PublicationStatus.CREATING, 1)
        world.advance(timedelta(minutes=5))  # the lease runs out
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED
        assert len(world.fake.live_articles()) == 1


async def test_killed_during_broadcast_is_never_resent(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.approved("a")
        await cancel_during(world, "/v2.0/oa/message")
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.BROADCASTING
        world.advance(timedelta(minutes=5))
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED
        assert "không rõ" in (pub.last_error or "")
        assert len(world.fake.broadcasts) == 1
        await drain(world)
        assert len(world.fake.broadcasts) == 1


@pytest.mark.parametrize(("kind", "delivered"), [("hang_after", 1), ("hang_before", 0)])
async def test_broadcast_timeout_alerts_and_only_a_person_resends(
    database: Database, tmp_path: Path, kind: str, delivered: int
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        submission_id = await world.approved("a")
        world.fake.fail("/oa/message", kind)
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED and pub.broadcast_message_id is None
        assert (await world.submission(submission_id)).status == S.PUBLISHED
        assert len(world.fake.broadcasts) == delivered
        alert = next(m for m in await world.outbox() if ":note:" in m.key)
        button = alert.meta["reply_markup"]["inline_keyboard"][0][0]
        assert button["callback_data"] == f"pub:retry:{pub.id}"
        world.advance(timedelta(hours=1))
        await drain(world)
        assert len(world.fake.broadcasts) == delivered  # nothing automatic
        async with world.db.session() as session:
            await retry_publication(
                session=session,
                publication_id=pub.id or 0,
                actor="editor:1",
                now=world.clock.now(),
            )
            await session.commit()
        pub = await drain(world)
        assert pub.broadcast_message_id is not None
        assert len(world.fake.broadcasts) == delivered + 1
        assert len(world.fake.live_articles()) == 1


async def test_rate_limit_waits_for_the_next_minute(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path, rate_limit_per_minute=0) as world:
        await world.login()
        await world.approved("a")
        world.fake.rate_limit = 2  # create and verify pass; getdetail and broadcast get -32
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.VERIFIED
        assert pub.last_error == "broadcast: -32 Your application reached limit call api"
        assert pub.next_attempt_at.replace(second=0) == (
            world.clock.now() + timedelta(minutes=1)
        ).replace(second=0, microsecond=0)
        pub = await drain(world, every=timedelta(seconds=61))
        assert pub.status == PublicationStatus.PUBLISHED
        assert pub.url == f"https://zalo.me/fake-oa/article/{pub.article_id}"
        assert len(world.fake.live_articles()) == 1 and len(world.fake.broadcasts) == 1


@pytest.mark.parametrize(("ours", "zalos"), [(3, 100), (3000, 2)])
async def test_pacing_keeps_zalo_from_answering_minus_32(
    database: Database, tmp_path: Path, ours: int, zalos: int
) -> None:
    async with make_world(database, tmp_path, rate_limit_per_minute=ours) as world:
        await world.login()
        await world.approved("a")
        await world.approved("b", title="Bài thứ hai")
        world.fake.rate_limit = zalos
        await world.fresh().run_once()
        pubs = await world.publications()
        assert any("local budget" in (p.last_error or "") for p in pubs)
        for _ in range(10):
            world.advance(timedelta(seconds=61))
            await world.fresh().run_once()
        pubs = await world.publications()
        assert {p.status for p in pubs} == {PublicationStatus.PUBLISHED}
        assert world.fake.rate_limited == 0  # our count, or Zalo's Remain header, held us back
        assert len(world.fake.live_articles()) == 2 and len(world.fake.broadcasts) == 2


async def test_article_processing_is_waited_out(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.approved("a")
        world.fake.verify_pending_polls = 3
        pub = await drain(world, every=timedelta(seconds=10))
        assert pub.status == PublicationStatus.PUBLISHED
        verifies = [r for r in world.fake.requests if r[1] == "/v2.0/article/verify"]
        assert len(verifies) == 4
        assert len(world.fake.live_articles()) == 1


async def test_article_processing_too_long_fails_then_retry_resumes_verify(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        submission_id = await world.approved("a")
        world.fake.verify_pending_polls = 10_000
        pub = await drain(world, every=timedelta(minutes=2))
        assert pub.status == PublicationStatus.FAILED and pub.zalo_token
        assert (await world.submission(submission_id)).status == S.PUBLISH_FAILED
        world.fake.verify_pending_polls = 0
        world.fake.pending[pub.zalo_token].polls_left = 0
        async with world.db.session() as session:
            await retry_publication(
                session=session,
                publication_id=pub.id or 0,
                actor="editor:1",
                now=world.clock.now(),
            )
            await session.commit()
        assert (await world.submission(submission_id)).status == S.SCHEDULED
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED
        assert len(world.fake.live_articles()) == 1
        assert (await world.submission(submission_id)).status == S.PUBLISHED


@pytest.mark.parametrize("revoke", ["unknown", "expired"])
async def test_token_refused_during_publishing_is_refreshed_once(
    database: Database, tmp_path: Path, revoke: str
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.approved("a")
        if revoke == "unknown":
            world.fake.access_tokens.clear()  # -216
        else:
            world.fake.expire_access_tokens()  # -220
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED
        assert world.fake.refresh_calls == 1
        assert len(world.fake.live_articles()) == 1


async def test_server_errors_on_reads_are_retried(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.approved("a")
        world.fake.fail("/article/verify", "5xx", count=2)
        pub = await drain(world, every=timedelta(seconds=10))
        assert pub.status == PublicationStatus.PUBLISHED
        assert len(world.fake.live_articles()) == 1


async def test_permanent_error_fails_with_retry_button_then_retry_publishes(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        submission_id = await world.approved("a")
        world.fake.fail("/article/create", -201, message="photo_url is invalid!")
        pub = await drain(world)
        assert pub.status == PublicationStatus.FAILED
        assert (await world.submission(submission_id)).status == S.PUBLISH_FAILED
        [alert] = [m for m in await world.outbox() if m.channel == "telegram"]
        assert "photo_url is invalid!" in alert.body
        button = alert.meta["reply_markup"]["inline_keyboard"][0][0]
        assert button == {"text": "🔁 Thử lại", "callback_data": f"pub:retry:{pub.id}"}
        assert world.fake.live_articles() == []
        async with world.db.session() as session:
            await retry_publication(
                session=session,
                publication_id=pub.id or 0,
                actor="editor:1",
                now=world.clock.now(),
            )
            await session.commit()
        pub = await drain(world)
        assert pub.status == PublicationStatus.PUBLISHED
        assert len(world.fake.live_articles()) == 1


async def test_night_block_reschedules_the_broadcast(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.approved("a")
        world.fake.fail(
            "/oa/message", -234, message="This message cannot be sent at night (10:00PM - 6:00AM)"
        )
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.VERIFIED
        # Inside the window the next allowed moment is a minute later.
        assert pub.next_attempt_at == world.clock.now() + timedelta(minutes=1)
        pub = await drain(world, every=timedelta(minutes=1))
        assert len(world.fake.broadcasts) == 1


async def test_missing_stored_file_fails_with_a_reason(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        submission_id = await world.approved("a")
        async with world.db.session() as session:
            [attachment] = await list_attachments(session=session, submission_id=submission_id)
        world.files.path(attachment.sha256).unlink()
        pub = await drain(world)
        assert pub.status == PublicationStatus.FAILED
        assert "anh-0.jpg: không còn trong kho tệp" in (pub.last_error or "")
        assert world.fake.live_articles() == []
