"""Article, video, upload, broadcast and quota handlers of the fake Zalo (a mixin of FakeZalo).

Every image URL in an article is fetched and checked (reachable, <= 1 MB, JPEG/PNG); broadcast
takes 1-5 existing articles only and refuses the night window with -234.
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from tests.fakes.zalo_articles import ArticleRules, check_article

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_IMAGE = 1_000_000  # Zalo's "1 MB", read the strict way
MAX_VIDEO = 50 * 1024 * 1024


@dataclass
class Pending:
    """An article token waiting for verify."""

    article_id: str
    polls_left: int


class ArticleHandlers:
    """The OpenAPI side of the fake; FakeZalo holds the state these methods use."""

    articles: dict[str, dict[str, Any]]
    broadcasts: list[dict[str, Any]]
    pending: dict[str, Pending]
    videos: dict[str, dict[str, Any]]
    uploads: dict[str, bytes]
    verify_pending_polls: int
    slice_max: int
    followers: int
    article_quota: int | None
    verified_oa: bool
    slice_max_offset: int | None
    night: tuple[int, int]
    clock: Callable[[], float]
    _ids: itertools.count[int]
    _session: aiohttp.ClientSession | None

    @staticmethod
    def _ok(data: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"data": data or {}, "error": 0, "message": "Success"}

    @staticmethod
    def _err(code: int, message: str) -> dict[str, Any]:
        return {"error": code, "message": message}

    def live_articles(self) -> list[dict[str, Any]]:
        """Articles that exist (created and not removed)."""
        return [a for a in self.articles.values() if not a.get("removed")]

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

    def add_article(self, title: str, *, thumb: str = "") -> str:
        """An article published by someone else (the OA manager, another tool), now."""
        article_id = f"art{next(self._ids)}"
        self.articles[article_id] = {
            "id": article_id,
            "type": "normal",
            "title": title,
            "author": "Ban biên tập",
            "description": "",
            "cover": {"cover_type": "photo", "photo_url": thumb, "status": "show"},
            "body": [],
            "status": "show",
            "create_date": int(self.clock() * 1000),
        }
        return article_id

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
        if not 1 <= limit <= self.slice_max:
            return self._err(-210, "Parameter exceeds allowable limit")
        items = [a for a in self.live_articles() if a.get("type", "normal") == kind]
        items.sort(key=lambda a: (a["create_date"], a["id"]), reverse=True)
        if self.slice_max_offset is not None and offset >= self.slice_max_offset:
            limit = 0
        medias = [
            {
                "id": a["id"],
                "type": kind,
                "title": a.get("title", ""),
                "status": a.get("status", "hide"),
                "total_view": a.get("total_view", 0),
                "total_share": a.get("total_share", 0),
                "create_date": a["create_date"],
                "update_date": a["create_date"],
                "thumb": (a.get("cover") or {}).get("photo_url", a.get("avatar", "")),
                "link_view": self._link(a["id"]),
            }
            for a in items[offset : offset + limit]
        ]
        return self._ok({"medias": medias, "total": len(items)})

    async def _user_list(self, query: dict[str, Any]) -> dict[str, Any]:
        """v3.0 `oa/user/getlist`: `data` is a JSON object; `total` counts the followers."""
        try:
            data = json.loads(str(query.get("data", "")))
        except ValueError:
            return self._err(-201, "data is invalid!")
        if not isinstance(data, dict):
            return self._err(-201, "data is invalid!")
        offset, count = data.get("offset", 0), data.get("count", 0)
        if not isinstance(offset, int) or not isinstance(count, int) or offset < 0:
            return self._err(-201, "offset is invalid!")
        if not 1 <= count <= 50 or offset > 9951:
            return self._err(-210, "Parameter exceeds allowable limit")
        total = self.followers  # every user the fake knows follows the OA
        users = [{"user_id": f"fake-user-{n}"} for n in range(offset, min(offset + count, total))]
        return self._ok({"total": total, "count": len(users), "offset": offset, "users": users})

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

    async def _upload_file(self, form: dict[str, Any]) -> dict[str, Any]:
        data, name = form.get("file", b""), str(form.get("filename", "")).lower()
        if not data or len(data) > 5 * 1024 * 1024 or not name.endswith((".pdf", ".doc", ".docx")):
            return self._err(-201, "file is invalid!")
        token = base64.b64encode(secrets.token_bytes(24)).decode()
        self.uploads[token] = data
        return self._ok({"token": token})

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
