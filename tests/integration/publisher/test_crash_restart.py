"""A process killed after every step of the publication state machine, then restarted:
exactly one article (and at most one broadcast) per approved submission on the fake Zalo."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.states import PublicationStatus
from domain.states import SubmissionStatus as S
from publisher.policy import LEASE
from publisher.steps import step
from storage.db import Database
from tests.integration.publisher.world import make_world

pytestmark = pytest.mark.integration
FULL_PATH = 6  # queued, creating, created, verified, broadcast(ing), published


@pytest.mark.parametrize("broadcast", [True, False])
async def test_killed_after_each_step_then_restarted(
    database: Database, tmp_path: Path, broadcast: bool
) -> None:
    async with make_world(database, tmp_path, broadcast=broadcast) as world:
        await world.login()
        for killed_after in range(FULL_PATH):
            title = f"Bài số {killed_after}"
            submission_id = await world.approved(f"k{killed_after}", title=title)
            doomed = world.fresh()
            await doomed.schedule_approved()
            [pub] = await doomed.claim()
            for _ in range(killed_after):
                if not await step(doomed.deps, pub):
                    break
            # The process dies here. A new one starts once the old lease has run out.
            world.advance(LEASE)
            await world.fresh().run_once()
            articles = [a for a in world.fake.live_articles() if a["title"] == title]
            assert len(articles) == 1, (killed_after, articles)
            pub = await world.publication(pub.id or 0)
            assert pub.status == PublicationStatus.PUBLISHED
            assert pub.article_id == articles[0]["id"]
            assert (await world.submission(submission_id)).status == S.PUBLISHED
            sent = [b for b in world.fake.broadcasts if pub.article_id in b["article_ids"]]
            assert len(sent) == (1 if broadcast else 0)
        assert len(world.fake.live_articles()) == FULL_PATH
