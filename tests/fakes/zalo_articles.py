"""Schema checks the fake Zalo applies to article create/update bodies (section 3.2/3.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHOW_HIDE = {"show", "hide"}
COVER_VIEWS = {"horizontal", "vertical", "square"}
LIMITS = {"title": 150, "author": 50, "description": 300}


@dataclass
class ArticleRules:
    """What the fake knows when checking: ready video ids and existing article ids."""

    videos: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)


def _invalid(name: str) -> tuple[int, str]:
    return -201, f"{name} is invalid!"


def check_article(body: dict[str, Any], rules: ArticleRules) -> tuple[int, str] | None:
    """Return (code, message) for the first problem, or None when the body is acceptable."""
    kind = body.get("type")
    if kind not in ("normal", "video"):
        return _invalid("type")
    if not isinstance(body.get("title"), str) or not body["title"].strip():
        return _invalid("title")
    for name, limit in LIMITS.items():
        value = body.get(name, "")
        if not isinstance(value, str):
            return _invalid(name)
        if len(value) > limit:
            return -210, "Parameter exceeds allowable limit"
    for name in ("status", "comment"):
        if name in body and body[name] not in SHOW_HIDE:
            return _invalid(name)
    if kind == "video":
        if body.get("video_id") not in rules.videos:
            return _invalid("video_id")
        return None if body.get("avatar") else _invalid("avatar")
    return (
        _check_cover(body.get("cover"), rules)
        or _check_body(body.get("body"), rules)
        or (_check_related(body.get("related_medias", []), rules))
    )


def _check_cover(cover: Any, rules: ArticleRules) -> tuple[int, str] | None:
    if not isinstance(cover, dict):
        return _invalid("cover")
    if cover.get("status", "show") not in SHOW_HIDE:
        return _invalid("cover.status")
    if cover.get("cover_type") == "photo":
        return None if cover.get("photo_url") else _invalid("photo_url")
    if cover.get("cover_type") == "video":
        if cover.get("video_id") not in rules.videos:
            return _invalid("video_id")
        return None if cover.get("cover_view") in COVER_VIEWS else _invalid("cover_view")
    return _invalid("cover_type")


def _check_body(items: Any, rules: ArticleRules) -> tuple[int, str] | None:
    if not isinstance(items, list) or not items:
        return _invalid("body")
    for item in items:
        if not isinstance(item, dict):
            return _invalid("body")
        kind = item.get("type")
        if kind == "text" and isinstance(item.get("content"), str):
            continue
        if kind == "image" and item.get("url"):
            continue
        if kind == "video" and (item.get("url") or item.get("video_id") in rules.videos):
            continue
        if kind == "product" and item.get("id"):
            continue
        return _invalid("body")
    return None


def _check_related(related: Any, rules: ArticleRules) -> tuple[int, str] | None:
    if not isinstance(related, list):
        return _invalid("related_medias")
    for item in related:
        if not isinstance(item, dict) or item.get("id") not in rules.articles:
            return _invalid("related_medias")
    return None
