"""Publish windows, the daily maximum, the editor's slot, dry run, withdrawal, two workers."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from domain.periods import TZ
from domain.states import PublicationStatus
from domain.states import SubmissionStatus as S
from storage.db import Database
from storage.submissions import transition
from tests.integration.publisher.world import make_world

pytestmark = pytest.mark.integration


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ).astimezone(UTC)


async def test_daily_maximum_moves_the_rest_to_the_next_morning(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, daily_max=2, broadcast=False) as world:
        await world.login()
        for key in "abc":
            await world.approved(key, title=f"Bài {key}")
        await world.fresh().run_once()
        pubs = await world.publications()
        assert [p.status for p in pubs] == ["published", "published", "queued"]
        assert pubs[2].due_at == local(27, 7)
        world.clock.set(local(27, 7))
        await world.fresh().run_once()
        assert len(world.fake.live_articles()) == 3


async def test_editor_slot_and_publish_window_are_respected(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        slot = local(26, 15, 30)
        await world.approved("slot", title="Theo giờ đã chọn", publish_at=slot)
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert (pub.status, pub.due_at) == (PublicationStatus.QUEUED, slot)
        world.clock.set(slot)
        await world.fresh().run_once()
        assert (await world.publication(pub.id or 0)).status == PublicationStatus.PUBLISHED
        world.clock.set(local(26, 23))  # after the 21:00 window end
        await world.approved("late", title="Duyệt muộn")
        await world.fresh().run_once()
        late = (await world.publications())[1]
        assert (late.status, late.due_at) == (PublicationStatus.QUEUED, local(27, 7))


async def test_broadcast_waits_for_allowed_hours(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        world.clock.set(local(26, 20))  # publish window open, broadcast hours over
        await world.approved("a")
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert (pub.status, pub.next_attempt_at) == (PublicationStatus.VERIFIED, local(27, 7))
        assert world.fake.broadcasts == []
        world.clock.set(local(27, 7))
        await world.fresh().run_once()
        assert len(world.fake.broadcasts) == 1


async def test_dry_run_renders_json_and_html_and_marks_published(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, live=False) as world:
        submission_id = await world.approved("a", images=2)
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.PUBLISHED and pub.dry_run
        assert (await world.submission(submission_id)).status == S.PUBLISHED
        code = (await world.submission(submission_id)).code
        previews = Path(world.settings.data_dir) / "previews"
        sent = json.loads((previews / f"{code}-{pub.id}.json").read_text(encoding="utf-8"))
        assert sent["title"] == "Hội nghị triển khai nhiệm vụ năm 2026"
        html = (previews / f"{code}-{pub.id}.html").read_text(encoding="utf-8")
        assert "Hội nghị triển khai nhiệm vụ năm 2026" in html and "Ảnh 1" in html
        # The preview is the JSON, item by item: the cover and every image shown, in order.
        sources = re.findall(r"<img src='([^']+)'", html)
        images = [b["url"] for b in sent["body"] if b["type"] == "image"]
        assert sources == [sent["cover"]["photo_url"], *images] and len(images) == 1
        positions = [
            html.index(escape(b.get("content") or b.get("url", ""), quote=True))
            for b in sent["body"]
        ]
        assert positions == sorted(positions)
        assert world.fake.requests == []
        [note] = [m for m in await world.outbox() if m.channel == "telegram"]
        assert "Chạy thử" in note.body


async def test_text_only_submission_gets_a_generated_cover(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a", images=0)
        await world.fresh().run_once()
        [article] = world.fake.live_articles()
        assert article["cover"]["photo_url"].endswith(".png")
        assert [i["type"] for i in article["body"]] == ["text", "text", "text"]


async def test_withdrawn_before_publishing_publishes_nothing(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        world.clock.set(local(26, 23))
        submission_id = await world.approved("a")
        await world.fresh().run_once()
        sub = await world.submission(submission_id)
        async with world.db.session() as session:
            await transition(
                session=session,
                submission_id=submission_id,
                expected_status=sub.status,
                expected_version=sub.version,
                new_status=S.WITHDRAWN,
                actor="officer:1",
            )
            await session.commit()
        world.clock.set(local(27, 7))
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.REMOVED
        assert world.fake.live_articles() == []


async def test_two_workers_share_the_queue_without_double_posts(
    database: Database, tmp_path: Path
) -> None:
    # PostgreSQL: SKIP LOCKED; SQLite (reads outside transactions): the version check.
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        world.fake.latency = 0.02
        for key in range(6):
            await world.approved(f"s{key}", title=f"Bài {key}")
        first, second = world.fresh(), world.fresh()
        first.batch = second.batch = 1
        await first.schedule_approved()
        done = await asyncio.gather(first.run_once(), second.run_once())
        # How the six are split depends on the machine's load (one worker may take them all
        # while the other loses its claims); what must hold is that each is posted once.
        assert sum(done) == 6
        titles = sorted(a["title"] for a in world.fake.live_articles())
        assert titles == [f"Bài {k}" for k in range(6)]
        creates = [r for r in world.fake.requests if r[1] == "/v2.0/article/create"]
        assert len(creates) == 6
        assert {p.status for p in await world.publications()} == {PublicationStatus.PUBLISHED}
