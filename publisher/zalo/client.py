"""Thin async client for the Zalo OA and Article APIs (no database, no token storage).

The access token comes from an injected async callable; when Zalo says the token is invalid or
expired (-216/-220) the client calls `on_token_rejected` once and retries the call once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from publisher.zalo.errors import (
    ZaloError,
    ZaloOutcomeUnknown,
    ZaloRejected,
    ZaloTokenError,
    ZaloTransientError,
    error_for,
)
from publisher.zalo.ratelimit import MinuteBudget

DEFAULT_API_BASE = "https://openapi.zalo.me"

TokenGetter = Callable[[], Awaitable[str]]
TokenRejected = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class ArticleSummary:
    """One item of `article/getslice`."""

    id: str
    title: str
    status: str
    create_date: int
    link_view: str
    thumb: str
    total_view: int = 0
    total_share: int = 0


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    return int(value) if value and value.lstrip("-").isdigit() else None


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    operation: str
    idempotent: bool
    json_body: dict[str, Any] | None
    params: dict[str, str] | None
    files: dict[str, tuple[str, bytes, str]] | None
    headers: dict[str, str] | None


def _unsure(message: str, operation: str, *, idempotent: bool) -> ZaloError:
    """A failure after the request may have reached Zalo."""
    if idempotent:
        return ZaloTransientError(None, message, operation=operation)
    return ZaloOutcomeUnknown(None, message, operation=operation)


class ZaloClient:
    """Calls Zalo on behalf of one OA; owns only its configuration."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        /,
        *,
        get_token: TokenGetter,
        on_token_rejected: TokenRejected | None = None,
        api_base: str = DEFAULT_API_BASE,
        app_secret: str | None = None,
        timeout: float = 30.0,
        budget: MinuteBudget | None = None,
    ) -> None:
        self._http = http
        self._get_token = get_token
        self._on_token_rejected = on_token_rejected
        self._base = api_base.rstrip("/")
        # When set, every call carries appsecret_proof (optional hardening, -242 if wrong).
        self._app_secret = app_secret
        self._timeout = timeout
        self._budget = budget

    async def call(
        self,
        method: str,
        path: str,
        /,
        *,
        operation: str,
        idempotent: bool,
        json_body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One API call; returns `data`. Refreshes once on -216/-220 when allowed."""
        request = _Request(method, path, operation, idempotent, json_body, params, files, headers)
        token = await self._get_token()
        try:
            return await self._send(request, token)
        except ZaloTokenError:
            if self._on_token_rejected is None:
                raise
            # -216/-220 mean Zalo did not act on the call, so one retry cannot duplicate.
            await self._on_token_rejected(token)
            return await self._send(request, await self._get_token())

    async def _send(self, req: _Request, token: str) -> dict[str, Any]:
        headers = {"access_token": token, **(req.headers or {})}
        if self._app_secret:
            proof = hmac.new(self._app_secret.encode(), token.encode(), hashlib.sha256)
            headers["appsecret_proof"] = proof.hexdigest()
        if self._budget is not None:
            self._budget.acquire(req.operation)
        try:
            response = await self._http.request(
                req.method,
                f"{self._base}{req.path}",
                json=req.json_body,
                params=req.params,
                files=req.files,
                headers=headers,
                timeout=self._timeout,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The request never left us: safe to retry even for create and broadcast.
            raise ZaloTransientError(None, type(exc).__name__, operation=req.operation) from None
        except httpx.TransportError as exc:
            raise _unsure(type(exc).__name__, req.operation, idempotent=req.idempotent) from None
        if self._budget is not None:
            self._budget.observe(_int_header(response, "X-RateLimit-Remain"))
        return self._parse(response, operation=req.operation, idempotent=req.idempotent)

    def _parse(
        self, response: httpx.Response, *, operation: str, idempotent: bool
    ) -> dict[str, Any]:
        if response.status_code >= 500:
            raise _unsure(f"HTTP {response.status_code}", operation, idempotent=idempotent)
        try:
            body = response.json()
        except ValueError:
            if response.status_code >= 400:
                message = f"HTTP {response.status_code}"
                raise ZaloRejected(None, message, operation=operation) from None
            raise _unsure("response is not JSON", operation, idempotent=idempotent) from None
        code = body.get("error") if isinstance(body, dict) else None
        if not isinstance(code, int):
            raise _unsure("response has no error field", operation, idempotent=idempotent)
        if code != 0:
            raise error_for(
                code,
                str(body.get("message", "")),
                operation=operation,
                limit=_int_header(response, "X-RateLimit-Limit"),
                remain=_int_header(response, "X-RateLimit-Remain"),
            )
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    # --- Article API -------------------------------------------------------------------------

    async def create_article(self, article: dict[str, Any], /) -> str:
        """Submit an article; returns the token to verify. Timeouts: outcome unknown."""
        data = await self.call(
            "POST", "/v2.0/article/create", operation="create", idempotent=False, json_body=article
        )
        return str(data["token"])

    async def verify_article(self, token: str, /) -> str:
        """Turn a create/update token into the article id (-214 while processing)."""
        data = await self.call(
            "POST",
            "/v2.0/article/verify",
            operation="verify",
            idempotent=True,
            json_body={"token": token},
        )
        return str(data["id"])

    async def remove_article(self, article_id: str, /) -> None:
        """Delete an article from the OA."""
        await self.call(
            "POST",
            "/v2.0/article/remove",
            operation="remove",
            idempotent=True,
            json_body={"id": article_id},
        )

    async def get_article(self, article_id: str, /) -> dict[str, Any]:
        """The stored fields of one article."""
        return await self.call(
            "GET",
            "/v2.0/article/getdetail",
            operation="getdetail",
            idempotent=True,
            params={"id": article_id},
        )

    async def list_articles(
        self, *, offset: int = 0, limit: int = 10, kind: str = "normal"
    ) -> tuple[list[ArticleSummary], int]:
        """A page of the OA's articles, newest first, and the total count."""
        data = await self.call(
            "GET",
            "/v2.0/article/getslice",
            operation="getslice",
            idempotent=True,
            params={"offset": str(offset), "limit": str(limit), "type": kind},
        )
        items = [
            ArticleSummary(
                id=str(m.get("id", "")),
                title=str(m.get("title", "")),
                status=str(m.get("status", "")),
                create_date=int(m.get("create_date") or 0),
                link_view=str(m.get("link_view", "")),
                thumb=str(m.get("thumb", "")),
                total_view=int(m.get("total_view") or 0),
                total_share=int(m.get("total_share") or 0),
            )
            for m in data.get("medias", [])
        ]
        return items, int(data.get("total") or 0)

    # --- Video for articles -------------------------------------------------------------------

    async def prepare_video(self, data: bytes, filename: str, /) -> str:
        """Upload a video (<= 50 MB, MP4/AVI); returns the token to poll."""
        result = await self.call(
            "POST",
            "/v2.0/article/upload_video/preparevideo",
            operation="preparevideo",
            idempotent=False,
            files={"file": (filename, data, "video/mp4")},
        )
        return str(result["token"])

    async def video_status(self, token: str, /) -> dict[str, Any]:
        """Conversion status (status 1 = ready with `video_id`, 3 = converting, 4 = failed)."""
        # Sources disagree on header vs query for the token: send both.
        return await self.call(
            "GET",
            "/v2.0/article/upload_video/verify",
            operation="video verify",
            idempotent=True,
            params={"token": token},
            headers={"token": token},
        )

    # --- OA API -------------------------------------------------------------------------------

    async def broadcast(
        self, article_ids: Sequence[str], /, *, target: dict[str, str] | None = None
    ) -> str:
        """Send up to five articles to followers; returns message_id. Timeouts: unknown."""
        if not 1 <= len(article_ids) <= 5:
            raise ZaloRejected(None, "broadcast takes 1 to 5 articles", operation="broadcast")
        elements = [{"media_type": "article", "attachment_id": a} for a in article_ids]
        body = {
            "recipient": {"target": target or {}},
            "message": {
                "attachment": {
                    "type": "template",
                    "payload": {"template_type": "media", "elements": elements},
                }
            },
        }
        data = await self.call(
            "POST", "/v2.0/oa/message", operation="broadcast", idempotent=False, json_body=body
        )
        return str(data.get("message_id", ""))

    async def quota(self, user_id: str, /) -> dict[str, Any]:
        """Message quota for one follower, including the broadcast (`promotion`) counters."""
        return await self.call(
            "POST",
            "/v3.0/oa/quota/message",
            operation="quota",
            idempotent=True,
            json_body={"user_id": user_id},
        )

    async def follower_total(self) -> int:
        """The OA's follower count: `total` of the v3.0 follower list (one call, one user asked).

        `GET /v3.0/oa/user/getlist` with `is_follower: true` and its `data.total` is the current,
        documented way (two public sources agree); `oa/getoa` has no documented follower field
        and the v2.0 `getfollowers` may no longer answer.
        """
        query = {"offset": 0, "count": 1, "is_follower": True}
        data = await self.call(
            "GET",
            "/v3.0/oa/user/getlist",
            operation="followers",
            idempotent=True,
            params={"data": json.dumps(query, separators=(",", ":"))},
        )
        total = data.get("total")
        if not isinstance(total, int):
            raise ZaloTransientError(None, "follower list has no total", operation="followers")
        return total


def dumps(article: dict[str, Any]) -> str:
    """The JSON exactly as sent (UTF-8, not ASCII-escaped), for dry runs and logs."""
    return json.dumps(article, ensure_ascii=False, indent=2)
