"""Reconcile against the fake: pages through getslice, stops at older articles."""

from __future__ import annotations

import pytest

from publisher.reconcile import ListingIncomplete, find_created, matches
from publisher.zalo.client import ArticleSummary, ZaloClient
from tests.fakes.static_files import StaticFiles
from tests.fakes.zalo_api import FakeZalo
from tests.fakes.zalo_fixtures import jpeg_bytes
from tests.unit.publisher.zalo.test_client import article


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


async def test_pages_back_past_any_number_of_newer_articles(
    zalo_client: ZaloClient, fake_zalo: FakeZalo, static_files: StaticFiles
) -> None:
    """GIVEN our article followed by 117 newer ones (more than ten pages of ten) WHEN
    reconciling THEN it is found; with a listing that stops short it is "still unknown",
    never "not there"."""
    cover = static_files.add("/c.jpg", jpeg_bytes())
    fake_zalo.now = lambda: 1_767_240_000.0
    since_ms = int(fake_zalo.clock() * 1000)
    ours = article(cover, title="Bài bị bỏ dở")
    found = await zalo_client.verify_article(await zalo_client.create_article(ours))
    for index in range(117):
        fake_zalo.advance(1)
        fake_zalo.add_article(f"Bài mới hơn {index}")
    assert await find_created(zalo_client, ours, since_ms=since_ms) == found
    fake_zalo.slice_max_offset = 100
    with pytest.raises(ListingIncomplete):
        await find_created(zalo_client, ours, since_ms=since_ms)


def test_a_rebuilt_cover_url_still_matches() -> None:
    """The cover under another instance's base URL (and key) is the same stored file."""
    sha = "ab" * 32
    ours = {
        "title": "T",
        "description": "Tóm tắt",
        "cover": {"photo_url": f"https://a.example/media/{'1' * 32}/{sha}.jpg"},
    }
    item = ArticleSummary(
        id="x",
        title="T",
        status="show",
        create_date=1,
        link_view="",
        thumb=f"http://10.0.0.2:8080/media/{'2' * 32}/{sha}.jpg",
    )
    assert matches(ours, item, {})
    other = ArticleSummary(
        "x", "T", "show", 1, "", f"https://a.example/media/{'1' * 32}/{'cd' * 32}.jpg"
    )
    assert not matches(ours, other, {})
