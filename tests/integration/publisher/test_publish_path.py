"""From an approved submission to a published, broadcast article on the fake Zalo."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from domain.states import PublicationStatus
from domain.states import SubmissionStatus as S
from intake.accept import IncomingFile
from publisher.prepare import card_preview
from storage.db import Database
from storage.models import Submission
from tests.integration.publisher.world import EDITORS_CHAT, make_world

pytestmark = pytest.mark.integration


async def test_full_path_publishes_and_broadcasts_once(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.add_editor()
        submission_id = await world.approved("a", images=2)
        worker = world.fresh()
        assert await worker.run_once() == 1
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.PUBLISHED
        assert pub.article_id is not None and pub.broadcast_message_id
        assert pub.url == f"https://zalo.me/fake-oa/article/{pub.article_id}"
        [article] = world.fake.live_articles()
        assert article["title"] == "Hội nghị triển khai nhiệm vụ năm 2026"
        assert article["author"] == "UBND huyện Kiến Xương"
        assert article["description"] == "Sáng 26/11, UBND huyện tổ chức hội nghị."
        assert article["status"] == "show"
        kinds = [item["type"] for item in article["body"]]
        # The first image is the cover, shown above the body: not repeated in it.
        assert kinds == ["text", "image", "text", "text"]
        assert article["body"][1]["caption"] == "Ảnh 1"
        assert article["cover"]["photo_url"] != article["body"][1]["url"]
        assert [b["article_ids"] for b in world.fake.broadcasts] == [[pub.article_id]]
        submission = await world.submission(submission_id)
        assert submission.status == S.PUBLISHED
        outbox = await world.outbox()
        keys = {m.key for m in outbox}
        assert f"pub:{pub.id}:published:tg" in keys
        assert f"pub:{pub.id}:published:submitter:email" in keys
        editors_tg = next(m for m in outbox if m.key == f"pub:{pub.id}:published:tg")
        assert editors_tg.recipient == str(EDITORS_CHAT)
        assert pub.url in editors_tg.body
        # Running again does nothing more.
        assert await world.fresh().run_once() == 0
        assert len(world.fake.live_articles()) == 1
        assert len(world.fake.broadcasts) == 1


async def test_card_preview_shows_the_composed_article(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path, live=False) as world:
        submission_id = await world.approved("a", images=2)
        async with world.db.session() as session:
            submission = await session.get(Submission, submission_id)
            assert submission is not None
            text = await card_preview(
                session=session, files=world.files, submission=submission, settings=world.settings
            )
        assert text.splitlines()[:2] == [
            "📰 Hội nghị triển khai nhiệm vụ năm 2026",
            "✍️ UBND huyện Kiến Xương",
        ]
        assert "🖼 Ảnh bìa: " in text and "] Ảnh 1" in text
        assert text.endswith("Nguồn: UBND huyện Kiến Xương")
        assert world.fake.requests == []


async def test_small_mp4_goes_through_the_video_flow_other_video_becomes_a_link(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        clip = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096
        videos = [
            IncomingFile(clip, "phong-su.mp4", "video/mp4"),
            IncomingFile(b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 64, "cu.mov", "video/quicktime"),
        ]
        await world.approved("v", files=videos)
        worker = world.fresh()
        worker.deps.media.video_poll_seconds = 0.01
        await worker.run_once()
        [article] = world.fake.live_articles()
        [video] = [i for i in article["body"] if i["type"] == "video"]
        assert video["video_id"] in world.fake.videos_ready()
        assert video["thumb"].endswith(".png")  # no image: the generated cover
        [link] = [
            i["content"] for i in article["body"] if "Xem video tại: " in i.get("content", "")
        ]
        assert link.split(": ", 1)[0] == "Xem video tại"  # the text never shows the file name
        async with httpx.AsyncClient() as http:
            served = await http.get(link.split(": ", 1)[1])
        assert served.status_code == 200 and served.headers["content-type"] == "video/quicktime"


async def test_not_logged_in_waits_and_alerts_editors(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        await world.approved("a")
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.CREATING and "zalo login" in (pub.last_error or "")
        [alert] = await world.outbox()
        assert "python main.py zalo login" in alert.body
        await world.login()
        world.advance(timedelta(minutes=16))
        await world.fresh().run_once()
        assert (await world.publication(pub.id or 0)).status == PublicationStatus.PUBLISHED
