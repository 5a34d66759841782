"""A local fake of Zalo's OAuth v4, Article and OA APIs (aiohttp on loopback).

Follows section 10 of shared/docs/zalo-oa-api.md: single-use refresh tokens, the `access_token`
header, errors as HTTP 200 with a non-zero `error`, a per-minute limit with -32 and rate headers,
-214 for the first N verify polls, -216/-220 for unknown/expired tokens, every image URL fetched
and checked (reachable, <= 1 MB, JPEG/PNG), broadcast rules (articles only, <= 5, night window).
Failures can be switched on per path: hang (after or before acting) and 5xx.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import itertools
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from tests.fakes.zalo_articles import ArticleRules, check_article

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_IMAGE = 1024 * 1024
MAX_VIDEO = 50 * 1024 * 1024


@dataclass
class Failure:
    """A switched-on failure for the next `count` calls to `path`.

    kind: "hang_after" (act, then never answer in time), "hang_before" (never answer, do
    nothing), "5xx_after" (act, then answer 502), "5xx" (answer 502, do nothing), or an int
    Zalo error code answered with HTTP 200.
    """

    path: str
    kind: str | int
    count: int = 1
    message: str = "Injected failure"


@dataclass
class Pending:
    """An article token waiting for verify."""

    article_id: str
    polls_left: int


@dataclass
class FakeZalo:
    """The fake's state and settings; tests inspect `articles`, `broadcasts`, `requests`."""

    app_id: str = "fake-app"
    app_secret: str = "fake-secret"
    rate_limit: int = 4000
    verify_pending_polls: int = 0
    expires_in: int = 90000
    latency: float = 0.0
    hang_seconds: float = 3.0
    night: tuple[int, int] = (22, 6)
    verified_oa: bool = True
    article_quota: int | None = None
    invalidate_old_access_on_refresh: bool = False
    now: Callable[[], float] = time.time
    offset: float = 0.0
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    broadcasts: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    rate_limited: int = 0
    refresh_calls: int = 0

    def __post_init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.refresh_tokens: set[str] = set()
        self.used_refresh_tokens: set[str] = set()
        self.access_tokens: dict[str, float] = {}
        self.pending: dict[str, Pending] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self._minute: tuple[int, int] = (0, 0)
        self.per_minute: dict[int, int] = {}
        self._ids = itertools.count(1001)
        self._closing = asyncio.Event()
        self._arrivals: dict[str, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeZalo:
        app = web.Application(client_max_size=MAX_VIDEO + 1024 * 1024)
        app.router.add_post("/v4/oa/access_token", self._token)
        app.router.add_route("*", "/{path:v[23]\\.0/.+}", self._api)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing.set()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls -----------------------------------------------------------------------

    def clock(self) -> float:
        """The fake's time (seconds since the epoch), movable with `advance`."""
        return self.now() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (tokens expire, minutes roll over)."""
        self.offset += seconds

    def fail(self, path: str, kind: str | int, *, count: int = 1, message: str = "") -> None:
        """Switch on a failure for the next `count` calls whose path ends with `path`."""
        self.failures.append(Failure(path, kind, count, message or "Injected failure"))

    def consent(self, challenge: str) -> str:
        """What an OA admin's click on "Cho phép" produces: a single-use code."""
        code = secrets.token_urlsafe(24)
        self.codes[code] = challenge
        return code

    def seed_tokens(self) -> dict[str, str]:
        """A token pair as the API Explorer would mint it."""
        return self._issue()

    def expire_access_tokens(self) -> None:
        """Make every issued access token expired (-220 from now on)."""
        for token in self.access_tokens:
            self.access_tokens[token] = 0.0

    def arrival(self, path: str) -> asyncio.Event:
        """An event set when a request for `path` arrives (to kill a client mid-call)."""
        return self._arrivals.setdefault(path, asyncio.Event())

    def _record(self, method: str, path: str) -> None:
        self.requests.append((method, path))
        if path in self._arrivals:
            self._arrivals[path].set()

    def live_articles(self) -> list[dict[str, Any]]:
        """Articles that exist (created and not removed)."""
        return [a for a in self.articles.values() if not a.get("removed")]

    # --- OAuth -------------------------------------------------------------------------------

    def _issue(self) -> dict[str, str]:
        access, refresh = "AT" + secrets.token_urlsafe(48), "RT" + secrets.token_urlsafe(48)
        self.access_tokens[access] = self.clock() + self.expires_in
        self.refresh_tokens.add(refresh)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": str(self.expires_in),
        }

    @staticmethod
    def _oauth_error(code: int, name: str, reason: str = "") -> dict[str, Any]:
        return {
            "error": code,
            "error_name": name,
            "error_reason": reason,
            "error_description": name,
            "ref_doc": "https://developers.zalo.me/docs",
        }

    async def _token(self, request: web.Request) -> web.Response:
        self._record(request.method, request.path)
        form = await request.post()
        secret = request.headers.get("secret_key")
        result: dict[str, Any] = {}

        async def act() -> None:
            result["body"] = self._token_act(dict(form), secret)

        if (injected := await self._injected(request.path, act)) is not None:
            return injected
        await act()
        return web.json_response(result["body"])

    def _token_act(self, form: dict[str, Any], secret: str | None) -> dict[str, Any]:
        if secret != self.app_secret:
            return self._oauth_error(-14004, "Invalid secret key")
        if form.get("app_id") != self.app_id:
            return self._oauth_error(-14002, "Invalid appId")
        grant = form.get("grant_type")
        if grant == "authorization_code":
            challenge = self.codes.pop(str(form.get("code", "")), None)
            verifier = str(form.get("code_verifier", ""))
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if challenge is None or challenge != expected:
                return self._oauth_error(-14019, "Invalid code")
            return self._issue()
        if grant == "refresh_token":
            self.refresh_calls += 1
            token = str(form.get("refresh_token", ""))
            if token not in self.refresh_tokens:
                return self._oauth_error(-14014, "Invalid refresh token")
            self.refresh_tokens.discard(token)
            self.used_refresh_tokens.add(token)
            if self.invalidate_old_access_on_refresh:
                self.access_tokens.clear()
            return self._issue()
        return self._oauth_error(-14001, "Invalid grant_type")

    # --- OA and Article API ------------------------------------------------------------------

    def _rate(self) -> tuple[bool, dict[str, str]]:
        minute = int(self.clock() // 60)
        count = self._minute[1] + 1 if self._minute[0] == minute else 1
        self._minute = (minute, count)
        self.per_minute[minute] = count
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remain": str(max(0, self.rate_limit - count)),
        }
        return count <= self.rate_limit, headers

    async def _injected(
        self, path: str, act: Callable[[], Awaitable[None]]
    ) -> web.Response | None:
        for failure in self.failures:
            if failure.count > 0 and path.endswith(failure.path):
                failure.count -= 1
                return await self._fail(failure, act)
        return None

    async def _fail(self, failure: Failure, act: Callable[[], Awaitable[None]]) -> web.Response:
        if isinstance(failure.kind, int):
            return web.json_response({"error": failure.kind, "message": failure.message})
        if failure.kind in ("hang_after", "5xx_after"):
            await act()
        if failure.kind.startswith("hang"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.hang_seconds)
        return web.Response(status=502, text="Bad Gateway")

    async def _api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        self._record(request.method, path)
        if self.latency:
            await asyncio.sleep(self.latency)
        allowed, headers = self._rate()
        if not allowed:
            self.rate_limited += 1
            body = {"error": -32, "message": "Your application reached limit call api"}
            return web.json_response(body, headers=headers)
        token = request.headers.get("access_token", "")
        if token not in self.access_tokens:
            return web.json_response(
                {"error": -216, "message": "Access token is invalid"}, headers=headers
            )
        if self.access_tokens[token] <= self.clock():
            return web.json_response(
                {"error": -220, "message": "access_token is expired or removed"}, headers=headers
            )
        handler = self._routes().get((request.method, path))
        if handler is None:
            return web.json_response({"error": -209, "message": "Not supported this api"})
        payload = await self._payload(request)
        result: dict[str, Any] = {}

        async def act() -> None:
            result["body"] = await handler(payload)

        if (injected := await self._injected(path, act)) is not None:
            return injected
        await act()
        return web.json_response(result["body"], headers=headers)

    @staticmethod
    async def _payload(request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            return {**request.query, "_headers": dict(request.headers)}
        if request.content_type == "application/json":
            body = await request.json()
            return body if isinstance(body, dict) else {}
        form = await request.post()
        upload = form.get("file")
        if isinstance(upload, web.FileField):
            return {"file": upload.file.read(), "filename": upload.filename}
        return dict(form)

    def _routes(self) -> dict[tuple[str, str], Callable[[dict[str, Any]], Any]]:
        return {
            ("POST", "/v2.0/article/create"): self._create,
            ("POST", "/v2.0/article/update"): self._update,
            ("POST", "/v2.0/article/verify"): self._verify,
            ("POST", "/v2.0/article/remove"): self._remove,
            ("GET", "/v2.0/article/getdetail"): self._detail,
            ("GET", "/v2.0/article/getslice"): self._slice,
            ("POST", "/v2.0/article/upload_video/preparevideo"): self._prepare_video,
            ("GET", "/v2.0/article/upload_video/verify"): self._video_status,
            ("POST", "/v2.0/oa/upload/image"): self._upload_image,
            ("POST", "/v2.0/oa/message"): self._message,
            ("POST", "/v3.0/oa/quota/message"): self._quota,
        }

    @staticmethod
    def _ok(data: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"data": data or {}, "error": 0, "message": "Success"}

    @staticmethod
    def _err(code: int, message: str) -> dict[str, Any]:
        return {"error": code, "message": message}

    async def _fetch_image(self, url: str) -> bool:
        assert self._session is not None
        try:
            async with self._session.get(url) as response:
                data = await response.read()
                ok = response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False
        return ok and len(data) <= MAX_IMAGE and _is_jpeg_or_png(data)

    async def _check(self, body: dict[str, Any]) -> dict[str, Any] | None:
        rules = ArticleRules(videos=set(self.videos_ready()), articles=set(self.articles))
        problem = check_article(body, rules)
        if problem is not None:
            return self._err(*problem)
        for field_name, url in _image_urls(body):
            if not await self._fetch_image(url):
                return self._err(-201, f"{field_name} is invalid!")
        return None

    def videos_ready(self) -> list[str]:
        """Video ids whose conversion finished."""
        return [v["video_id"] for v in self.videos.values() if v["status"] == 1]

    async def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        if (problem := await self._check(body)) is not None:
            return problem
        if self.article_quota is not None and len(self.articles) >= self.article_quota:
            return self._err(-223, "Your OA has reach the limit quota create article")
        article_id = f"art{next(self._ids)}"
        stored = {k: v for k, v in body.items() if k != "id"}
        self.articles[article_id] = {
            **stored,
            "id": article_id,
            "create_date": int(self.clock() * 1000),
        }
        return self._ok({"token": self._pending(article_id)})

    def _pending(self, article_id: str) -> str:
        token = base64.b64encode(secrets.token_bytes(30)).decode()  # has + / = like Zalo's
        self.pending[token] = Pending(article_id, self.verify_pending_polls)
        return token

    async def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        article = self.articles.get(str(body.get("id", "")))
        if article is None or article.get("removed"):
            return self._err(-201, "id is invalid!")
        if (problem := await self._check(body)) is not None:
            return problem
        article.update({k: v for k, v in body.items() if k != "id"})
        return self._ok({"token": self._pending(article["id"])})

    async def _verify(self, body: dict[str, Any]) -> dict[str, Any]:
        pending = self.pending.get(str(body.get("token", "")))
        if pending is None:
            return self._err(-201, "token is invalid!")
        if pending.polls_left > 0:
            pending.polls_left -= 1
            return self._err(-214, "Article is being processed")
        return self._ok({"id": pending.article_id})

    async def _remove(self, body: dict[str, Any]) -> dict[str, Any]:
        article = self.articles.get(str(body.get("id", "")))
        if article is None or article.get("removed"):
            return self._err(-201, "id is invalid!")
        article["removed"] = True
        return self._ok()

    def _link(self, article_id: str) -> str:
        return f"https://zalo.me/fake-oa/article/{article_id}"

    async def _detail(self, query: dict[str, Any]) -> dict[str, Any]:
        article = self.articles.get(str(query.get("id", "")))
        if article is None or article.get("removed"):
            return self._err(-201, "id is invalid!")
        detail = {k: v for k, v in article.items() if k != "removed"}
        return self._ok({**detail, "cite": {}, "link_view": self._link(article["id"])})

    async def _slice(self, query: dict[str, Any]) -> dict[str, Any]:
        kind = query.get("type", "normal")
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 10))
        items = [a for a in self.live_articles() if a.get("type", "normal") == kind]
        items.sort(key=lambda a: (a["create_date"], a["id"]), reverse=True)
        medias = [
            {
                "id": a["id"],
                "type": kind,
                "title": a.get("title", ""),
                "status": a.get("status", "hide"),
                "total_view": 0,
                "total_share": 0,
                "create_date": a["create_date"],
                "update_date": a["create_date"],
                "thumb": (a.get("cover") or {}).get("photo_url", a.get("avatar", "")),
                "link_view": self._link(a["id"]),
            }
            for a in items[offset : offset + limit]
        ]
        return self._ok({"medias": medias, "total": len(items)})

    async def _prepare_video(self, form: dict[str, Any]) -> dict[str, Any]:
        data, name = form.get("file", b""), str(form.get("filename", ""))
        if not data or len(data) > MAX_VIDEO or not name.lower().endswith((".mp4", ".avi")):
            return self._err(-201, "file is invalid!")
        token = base64.b64encode(secrets.token_bytes(24)).decode()
        self.videos[token] = {
            "status": 3,
            "polls": 0,
            "video_name": name,
            "video_size": len(data),
            "video_id": f"vid{next(self._ids)}",
        }
        return self._ok({"token": token})

    async def _video_status(self, query: dict[str, Any]) -> dict[str, Any]:
        token = query.get("token") or query["_headers"].get("token", "")
        video = self.videos.get(str(token))
        if video is None:
            return self._err(-201, "token is invalid!")
        video["polls"] += 1
        if video["polls"] >= 2:
            video["status"] = 1
        done = video["status"] == 1
        return self._ok(
            {
                "status": video["status"],
                "status_message": "Success" if done else "Video is being converted",
                "video_name": video["video_name"],
                "video_size": video["video_size"],
                "convert_percent": 100 if done else 50,
                "convert_error_code": 0,
                "video_id": video["video_id"] if done else "",
            }
        )

    async def _upload_image(self, form: dict[str, Any]) -> dict[str, Any]:
        data = form.get("file", b"")
        if not data or len(data) > MAX_IMAGE or not _is_jpeg_or_png(data):
            return self._err(-201, "file is invalid!")
        attachment_id = secrets.token_hex(16)
        self.uploads[attachment_id] = data
        return self._ok({"attachment_id": attachment_id})

    async def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        recipient = body.get("recipient") or {}
        if "user_id" in recipient:
            return self._err(-240, "MessageV2 API has been shut down, please switch to MessageV3")
        if "target" not in recipient:
            return self._err(-201, "recipient is invalid!")
        if not self.verified_oa:
            return self._err(-221, "The OA needs to be verified to use this feature")
        payload = ((body.get("message") or {}).get("attachment") or {}).get("payload") or {}
        elements = payload.get("elements") or []
        if payload.get("template_type") != "media" or not 1 <= len(elements) <= 5:
            return self._err(-210, "Parameter exceeds allowable limit")
        for element in elements:
            article = self.articles.get(str(element.get("attachment_id", "")))
            if element.get("media_type") != "article":
                return self._err(-233, "message type is invalid or not support")
            if article is None or article.get("removed"):
                return self._err(-201, "attachment_id is invalid!")
        hour = datetime.fromtimestamp(self.clock(), UTC).astimezone(TZ).hour
        start, end = self.night
        if hour >= start or hour < end:
            return self._err(-234, "This message cannot be sent at night (10:00PM - 6:00AM)")
        message_id = secrets.token_hex(12)
        self.broadcasts.append(
            {
                "message_id": message_id,
                "body": body,
                "article_ids": [e["attachment_id"] for e in elements],
            }
        )
        return self._ok({"message_id": message_id})

    async def _quota(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("user_id"):
            return self._err(-201, "user_id is invalid!")
        return self._ok(
            {
                "last_interaction": "",
                "cs_reply": {"remain": 8, "total": 8},
                "promotion": {
                    "daily_remain": 1,
                    "daily_total": 1,
                    "monthly_remain": 4,
                    "monthly_total": 4,
                },
            }
        )


def _is_jpeg_or_png(data: bytes) -> bool:
    return data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"


def _image_urls(body: dict[str, Any]) -> list[tuple[str, str]]:
    urls: list[tuple[str, str]] = []
    cover = body.get("cover") or {}
    if cover.get("cover_type") == "photo":
        urls.append(("photo_url", str(cover.get("photo_url", ""))))
    if body.get("avatar"):
        urls.append(("avatar", str(body["avatar"])))
    for item in body.get("body") or []:
        if item.get("type") == "image":
            urls.append(("url", str(item.get("url", ""))))
        if item.get("type") == "video" and item.get("thumb"):
            urls.append(("thumb", str(item["thumb"])))
    return urls


def dumps(body: Any) -> str:
    """Pretty JSON for assertion messages."""
    return json.dumps(body, ensure_ascii=False, indent=1)
