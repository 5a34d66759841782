"""Reconcile against the fake: pages through getslice, stops at older articles."""

from __future__ import annotations

from publisher.reconcile import find_created
from publisher.zalo.client import ZaloClient
from tests.fakes.static_files import StaticFiles
from tests.fakes.zalo_api import FakeZalo
from tests.fakes.zalo_fixtures import jpeg_bytes
from tests.unit.zalo.test_client import article


async def test_finds_an_article_beyond_the_first_page_and_not_an_older_one(
    zalo_client: ZaloClient, fake_zalo: FakeZalo, static_files: StaticFiles
) -> None:
    cover = static_files.add("/c.jpg", jpeg_bytes())
    fake_zalo.now = lambda: 1_767_240_000.0
    ours = article(cover, title="Bài cần tìm")
    old_id = await zalo_client.verify_article(await zalo_client.create_article(ours))
    fake_zalo.advance(3600)
    since_ms = int(fake_zalo.clock() * 1000)
    new_id = await zalo_client.verify_article(await zalo_client.create_article(ours))
    for index in range(14):
        fake_zalo.advance(1)
        other = article(cover, title=f"Bài khác {index}")
        await zalo_client.verify_article(await zalo_client.create_article(other))
    assert await find_created(zalo_client, ours, since_ms=since_ms) == new_id
    fake_zalo.articles[new_id]["removed"] = True
    # The only other match is older than the attempt: never adopted.
    assert await find_created(zalo_client, ours, since_ms=since_ms) is None
    assert old_id != new_id
