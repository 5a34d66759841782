"""A publication never ends "published" with an empty link (issue 18, item 15): while Zalo
cannot give the article's link, the lookup is retried until found, and nothing before it
(create, broadcast) runs again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from domain.states import PublicationStatus
from domain.states import SubmissionStatus as S
from storage.db import Database
from tests.integration.publisher.world import make_world

pytestmark = pytest.mark.integration
DETAIL = "/v2.0/article/getdetail"


@pytest.mark.parametrize("broadcast", [False, True])
async def test_link_lookup_is_retried_until_found(
    database: Database, tmp_path: Path, broadcast: bool
) -> None:
    async with make_world(database, tmp_path, broadcast=broadcast) as world:
        await world.login()
        await world.add_editor()
        submission_id = await world.approved("a")
        world.fake.fail(DETAIL, -201, count=4, message="Article is not ready")
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status != PublicationStatus.PUBLISHED and not pub.url
        assert pub.last_error and "link" in pub.last_error
        assert (await world.submission(submission_id)).status == S.PUBLISHING
        for _ in range(4):  # each lookup waits a little longer; nothing else is repeated
            world.advance(timedelta(minutes=5))
            await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.PUBLISHED
        assert pub.url and pub.url.startswith("https://")
        assert (await world.submission(submission_id)).status == S.PUBLISHED
        assert len(world.fake.live_articles()) == 1
        assert len(world.fake.broadcasts) == (1 if broadcast else 0)
        told = [m for m in await world.outbox() if "Đã đăng trên Trang Zalo OA" in m.body]
        assert told and all(pub.url in m.body for m in told)
