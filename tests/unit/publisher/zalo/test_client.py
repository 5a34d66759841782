"""The thin client against the fake: success envelopes, HTTP-200 errors, tokens, limits."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from publisher.zalo.client import ZaloClient
from publisher.zalo.errors import (
    ZaloArticleProcessing,
    ZaloNeedsPerson,
    ZaloOutcomeUnknown,
    ZaloRateLimited,
    ZaloRejected,
    ZaloTokenError,
    ZaloTransientError,
    ZaloWaitError,
)
from tests.fakes.static_files import StaticFiles
from tests.fakes.zalo_api import FakeZalo
from tests.fakes.zalo_fixtures import jpeg_bytes


def article(cover: str, *, title: str = "Thông báo lịch tiếp công dân") -> dict[str, Any]:
    return {
        "type": "normal",
        "title": title,
        "author": "Sở Tư pháp",
        "cover": {"cover_type": "photo", "photo_url": cover, "status": "show"},
        "description": "Tóm tắt",
        "body": [{"type": "text", "content": "Đoạn 1"}, {"type": "image", "url": cover}],
        "status": "show",
        "comment": "show",
    }


async def test_create_verify_detail_slice_remove(
    zalo_client: ZaloClient, fake_zalo: FakeZalo, static_files: StaticFiles
) -> None:
    cover = static_files.add("/a/cover.jpg", jpeg_bytes())
    token = await zalo_client.create_article(article(cover))
    article_id = await zalo_client.verify_article(token)
    detail = await zalo_client.get_article(article_id)
    assert detail["title"] == "Thông báo lịch tiếp công dân"
    items, total = await zalo_client.list_articles(limit=5)
    assert total == 1
    assert items[0].id == article_id
    assert items[0].link_view.endswith(article_id)
    await zalo_client.remove_article(article_id)
    assert fake_zalo.live_articles() == []
    # Zalo fetched the cover and the body image when the article was created.
    assert static_files.hits.count("/a/cover.jpg") == 2


async def test_verify_answers_minus_214_while_processing(
    zalo_client: ZaloClient, fake_zalo: FakeZalo, static_files: StaticFiles
) -> None:
    fake_zalo.verify_pending_polls = 2
    token = await zalo_client.create_article(article(static_files.add("/c.jpg", jpeg_bytes())))
    for _ in range(2):
        with pytest.raises(ZaloArticleProcessing) as caught:
            await zalo_client.verify_article(token)
        assert caught.value.code == -214
    assert (await zalo_client.verify_article(token)).startswith("art")


async def test_http_200_error_is_not_success(
    zalo_client: ZaloClient, static_files: StaticFiles
) -> None:
    body = article(static_files.add("/c.jpg", jpeg_bytes()))
    body["title"] = "x" * 151
    with pytest.raises(ZaloRejected) as caught:
        await zalo_client.create_article(body)
    assert (caught.value.code, caught.value.message) == (-210, "Parameter exceeds allowable limit")


@pytest.mark.parametrize(
    ("path", "data", "content_type"),
    [
        (None, b"", "image/jpeg"),  # unreachable
        ("/big.jpg", b"\xff\xd8\xff" + b"0" * 999_998, "image/jpeg"),  # 1,000,001 bytes
        ("/page.jpg", b"<html></html>", "text/html"),  # not an image
    ],
)
async def test_every_image_url_is_fetched_and_checked(
    zalo_client: ZaloClient,
    static_files: StaticFiles,
    path: str | None,
    data: bytes,
    content_type: str,
) -> None:
    bad = static_files.add(path, data, content_type) if path else f"{static_files.url}/nothing"
    body = article(static_files.add("/ok.jpg", jpeg_bytes()))
    body["body"].append({"type": "image", "url": bad, "caption": "Ảnh hỏng"})
    with pytest.raises(ZaloRejected) as caught:
        await zalo_client.create_article(body)
    assert caught.value.code == -201
    assert caught.value.message == "url is invalid!"


async def test_unknown_token_without_refresher_is_a_token_error(
    fake_zalo: FakeZalo, http: httpx.AsyncClient
) -> None:
    async def get_token() -> str:
        return "not-a-token"

    client = ZaloClient(http, get_token=get_token, api_base=fake_zalo.url)
    with pytest.raises(ZaloTokenError) as caught:
        await client.list_articles()
    assert caught.value.code == -216


async def test_expired_token_is_refreshed_once_and_the_call_retried(
    zalo_client: ZaloClient, fake_zalo: FakeZalo
) -> None:
    fake_zalo.expire_access_tokens()
    items, total = await zalo_client.list_articles()
    assert (items, total) == ([], 0)
    refused = [r for r in fake_zalo.requests if r[1] == "/v2.0/article/getslice"]
    assert len(refused) == 2


async def test_token_refused_twice_raises_after_one_retry(
    fake_zalo: FakeZalo, http: httpx.AsyncClient
) -> None:
    refreshes: list[str] = []

    async def get_token() -> str:
        return "stale"

    async def rejected(token: str) -> None:
        refreshes.append(token)

    client = ZaloClient(
        http, get_token=get_token, on_token_rejected=rejected, api_base=fake_zalo.url
    )
    with pytest.raises(ZaloTokenError):
        await client.list_articles()
    assert refreshes == ["stale"]


async def test_rate_limit_is_minus_32_with_headers(
    zalo_client: ZaloClient, fake_zalo: FakeZalo
) -> None:
    fake_zalo.rate_limit = 2
    fake_zalo.now = lambda: 120.0  # stay inside one minute
    await zalo_client.list_articles()
    await zalo_client.list_articles()
    with pytest.raises(ZaloRateLimited) as caught:
        await zalo_client.list_articles()
    assert (caught.value.code, caught.value.limit, caught.value.remain) == (-32, 2, 0)
    fake_zalo.advance(60)
    assert await zalo_client.list_articles() == ([], 0)


@pytest.mark.parametrize("kind", ["hang_after", "5xx_after", "hang_before", "5xx"])
async def test_create_timeout_or_5xx_is_outcome_unknown(
    zalo_client: ZaloClient, fake_zalo: FakeZalo, static_files: StaticFiles, kind: str
) -> None:
    fake_zalo.fail("/article/create", kind)
    with pytest.raises(ZaloOutcomeUnknown):
        await zalo_client.create_article(article(static_files.add("/c.jpg", jpeg_bytes())))
    created = len(fake_zalo.live_articles())
    assert created == (1 if kind.endswith("after") else 0)


async def test_read_timeouts_and_5xx_are_transient(
    zalo_client: ZaloClient, fake_zalo: FakeZalo
) -> None:
    fake_zalo.fail("/article/getslice", "hang_before")
    with pytest.raises(ZaloTransientError):
        await zalo_client.list_articles()
    fake_zalo.fail("/article/getslice", "5xx")
    with pytest.raises(ZaloTransientError):
        await zalo_client.list_articles()


async def test_connection_refused_is_transient_even_for_create(http: httpx.AsyncClient) -> None:
    async def get_token() -> str:
        return "t"

    client = ZaloClient(http, get_token=get_token, api_base="http://127.0.0.1:9")
    with pytest.raises(ZaloTransientError) as caught:
        await client.create_article({"type": "normal"})
    assert not isinstance(caught.value, ZaloOutcomeUnknown)


async def test_broadcast_rules(
    zalo_client: ZaloClient, fake_zalo: FakeZalo, static_files: StaticFiles
) -> None:
    fake_zalo.now = lambda: 1_767_240_000.0  # 2026-01-01 04:00 UTC = 11:00 in Vietnam
    cover = static_files.add("/c.jpg", jpeg_bytes())
    article_id = await zalo_client.verify_article(await zalo_client.create_article(article(cover)))
    message_id = await zalo_client.broadcast([article_id])
    assert fake_zalo.broadcasts[0]["message_id"] == message_id
    assert fake_zalo.broadcasts[0]["body"]["recipient"] == {"target": {}}
    with pytest.raises(ZaloRejected):
        await zalo_client.broadcast([article_id] * 6)
    with pytest.raises(ZaloRejected) as caught:
        await zalo_client.broadcast(["art-missing"])
    assert caught.value.code == -201
    fake_zalo.advance(12 * 3600)  # 23:00 in Vietnam
    with pytest.raises(ZaloWaitError) as night:
        await zalo_client.broadcast([article_id])
    assert night.value.code == -234
    fake_zalo.verified_oa = False
    with pytest.raises(ZaloNeedsPerson) as unverified:
        await zalo_client.broadcast([article_id])
    assert unverified.value.code == -221
    assert len(fake_zalo.broadcasts) == 1


async def test_broadcast_timeout_is_outcome_unknown(
    zalo_client: ZaloClient, fake_zalo: FakeZalo, static_files: StaticFiles
) -> None:
    fake_zalo.now = lambda: 1_767_240_000.0
    cover = static_files.add("/c.jpg", jpeg_bytes())
    article_id = await zalo_client.verify_article(await zalo_client.create_article(article(cover)))
    fake_zalo.fail("/oa/message", "hang_after")
    with pytest.raises(ZaloOutcomeUnknown):
        await zalo_client.broadcast([article_id])
    assert len(fake_zalo.broadcasts) == 1


async def test_video_upload_flow_and_video_article(
    zalo_client: ZaloClient, fake_zalo: FakeZalo, static_files: StaticFiles
) -> None:
    token = await zalo_client.prepare_video(b"\x00\x00\x00\x18ftypmp42" + b"0" * 1000, "a.mp4")
    first = await zalo_client.video_status(token)
    assert (first["status"], first["convert_percent"]) == (3, 50)
    ready = await zalo_client.video_status(token)
    assert ready["status"] == 1
    body = article(static_files.add("/c.jpg", jpeg_bytes()))
    body["body"].append({"type": "video", "video_id": ready["video_id"]})
    assert await zalo_client.verify_article(await zalo_client.create_article(body))


async def test_quota(zalo_client: ZaloClient) -> None:
    quota = await zalo_client.quota("user-1")
    assert quota["promotion"]["monthly_total"] == 4


async def test_injected_error_codes_map_to_kinds(
    zalo_client: ZaloClient, fake_zalo: FakeZalo
) -> None:
    fake_zalo.fail(
        "/article/getslice", -223, message="Official Account has not authorized this API"
    )
    with pytest.raises(ZaloNeedsPerson):
        await zalo_client.list_articles()
    fake_zalo.fail(
        "/article/getslice", -223, message="Your OA has reach the limit quota create article"
    )
    with pytest.raises(ZaloWaitError):
        await zalo_client.list_articles()
    fake_zalo.fail("/article/getslice", -999, message="Something new")
    with pytest.raises(ZaloNeedsPerson):
        await zalo_client.list_articles()


async def test_appsecret_proof_is_sent_when_configured(
    fake_zalo: FakeZalo, http: httpx.AsyncClient
) -> None:
    fake_zalo.require_proof = True
    tokens = fake_zalo.seed_tokens()

    async def get_token() -> str:
        return tokens["access_token"]

    plain = ZaloClient(http, get_token=get_token, api_base=fake_zalo.url)
    with pytest.raises(ZaloRejected) as caught:
        await plain.list_articles()
    assert caught.value.code == -242 and caught.value.needs_person
    proving = ZaloClient(
        http, get_token=get_token, api_base=fake_zalo.url, app_secret=fake_zalo.app_secret
    )
    assert await proving.list_articles() == ([], 0)
