"""A local fake of Zalo's OAuth v4, Article and OA APIs (aiohttp on loopback).

Follows Zalo's documented behaviour (developers.zalo.me, OA API v3 and OAuth v4): single-use
refresh tokens, the `access_token`
header, errors as HTTP 200 with a non-zero `error`, a per-minute limit with -32 and rate headers,
-214 for the first N verify polls, -216/-220 for unknown/expired tokens, every image URL fetched
and checked (reachable, <= 1 MB, JPEG/PNG), broadcast rules (articles only, <= 5, night window).
Failures can be switched on per path: hang (after or before acting) and 5xx.
Reach: `getslice` reports each article's `total_view`/`total_share` as tests set them
(`set_reach`, `next_day`), pages with a largest `limit` (`slice_max`), and the v3.0 follower
list answers `total` = `followers`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.zalo_handlers import MAX_VIDEO, ArticleHandlers, Pending


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
class FakeZalo(ArticleHandlers):
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
    require_proof: bool = False
    slice_max: int = 10  # getslice's largest `limit` (sources say 10 to 100: [?]); above: -210
    followers: int = 0
    # When set, getslice answers nothing from this offset on (the total still counts all):
    # a listing that cannot reach back far enough.
    slice_max_offset: int | None = None
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

    def _proof_ok(self, token: str, headers: Any) -> bool:
        expected = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(headers.get("appsecret_proof", ""), expected)

    def arrival(self, path: str) -> asyncio.Event:
        """An event set when a request for `path` arrives (to kill a client mid-call)."""
        return self._arrivals.setdefault(path, asyncio.Event())

    def _record(self, method: str, path: str) -> None:
        self.requests.append((method, path))
        if path in self._arrivals:
            self._arrivals[path].set()

    # --- reach: views, shares and followers as tests set them, day by day ----------------

    def set_reach(self, article_id: str, *, views: int, shares: int = 0) -> None:
        """An article's running totals (what getslice reports as total_view/total_share)."""
        article = self.articles[article_id]
        article["total_view"], article["total_share"] = views, shares

    def next_day(
        self,
        views: dict[str, int] | None = None,
        *,
        shares: dict[str, int] | None = None,
        followers: int = 0,
    ) -> None:
        """A day passes: the clock moves 24 h, articles gain views/shares, followers change."""
        self.advance(24 * 3600)
        for article_id, gained in (views or {}).items():
            article = self.articles[article_id]
            article["total_view"] = article.get("total_view", 0) + gained
        for article_id, gained in (shares or {}).items():
            article = self.articles[article_id]
            article["total_share"] = article.get("total_share", 0) + gained
        self.followers += followers

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
        if self.require_proof and not self._proof_ok(token, request.headers):
            message = "Invalid appsecret_proof provided in the API argument"
            return web.json_response({"error": -242, "message": message}, headers=headers)
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
            ("POST", "/v2.0/oa/upload/file"): self._upload_file,
            ("POST", "/v2.0/oa/message"): self._message,
            ("POST", "/v3.0/oa/quota/message"): self._quota,
            ("GET", "/v3.0/oa/user/getlist"): self._user_list,
        }


def dumps(body: Any) -> str:
    """Pretty JSON for assertion messages."""
    return json.dumps(body, ensure_ascii=False, indent=1)
