"""A composed draft (compose/) as the Zalo `article/create` body (pure: no I/O).

Limits from the Article API: title <= 150 characters, author <= 50, description <= 300; body as
one plain `text` item per paragraph plus `image` items with captions (HTML is not documented).
What is published is decided by composition (compose/); this module only lays it out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compose import Draft
from publisher import texts

TITLE_MAX = 150
AUTHOR_MAX = 50
SUMMARY_MAX = 300
ELLIPSIS = "…"


@dataclass(frozen=True)
class ImageRef:
    """A public image URL and its caption."""

    url: str
    caption: str = ""


@dataclass(frozen=True)
class VideoRef:
    """A video: uploaded (`video_id`) or too large and given as a link (`url`)."""

    video_id: str = ""
    url: str = ""
    thumb: str = ""
    name: str = ""


def clean(text: str) -> str:
    """NFC, control characters dropped, runs of spaces collapsed within each line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    return "\n".join(re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n"))


def cut(text: str, limit: int, /) -> str:
    """Shorten to at most `limit` characters at a word boundary, ending with an ellipsis."""
    text = clean(text).replace("\n", " ").strip()
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head and len(head) - head.rfind(" ") < 30:
        head = head[: head.rfind(" ")]
    return head.rstrip(" ,;:.-–") + ELLIPSIS


def zalo_article(
    draft: Draft,
    /,
    *,
    images: Mapping[str, ImageRef],
    cover_url: str,
    videos: Sequence[VideoRef] = (),
    fallback_title: str = "",
    status: str = "hide",
    comment: str = "show",
) -> dict[str, Any]:
    """The `article/create` body of a composed draft: its items in order (a heading is a
    text item: Zalo's body has no heading type), images by their prepared URL (one that
    could not be prepared is left out), then videos and the unit credit."""
    items: list[dict[str, Any]] = []
    for item in draft.body:
        if item.type in ("text", "heading"):
            items.append({"type": "text", "content": clean(item.content)})
        elif item.type == "image" and item.name in images:
            items.append(_image(ImageRef(images[item.name].url, item.caption)))
    for video in videos:
        items.extend(_video(video))
    if draft.author:
        items.append({"type": "text", "content": texts.CREDIT.format(unit=clean(draft.author))})
    return {
        "type": "normal",
        "title": cut(draft.title, TITLE_MAX) or cut(fallback_title, TITLE_MAX),
        "author": cut(draft.author, AUTHOR_MAX),
        "cover": {"cover_type": "photo", "photo_url": cover_url, "status": "show"},
        "description": cut(draft.description, SUMMARY_MAX),
        "body": items,
        "status": status,
        "comment": comment,
    }


def _image(image: ImageRef) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "image", "url": image.url}
    if image.caption.strip():
        item["caption"] = cut(image.caption, SUMMARY_MAX)
    return item


def _video(video: VideoRef) -> list[dict[str, Any]]:
    if video.video_id:
        item: dict[str, Any] = {"type": "video", "video_id": video.video_id}
        if video.thumb:
            item["thumb"] = video.thumb
        return [item]
    return [{"type": "text", "content": texts.VIDEO_LINK.format(name=video.name, url=video.url)}]


def preview_text(article: dict[str, Any], /) -> str:
    """A plain-text rendering of an `article/create` body, item by item (the review card's
    preview, `publish show`): what it shows is what Zalo receives."""
    cover = (article.get("cover") or {}).get("photo_url", "")
    lines = [f"📰 {article['title']}", f"✍️ {article['author']}"]
    if cover:
        lines.append(texts.PREVIEW_COVER.format(name=_name(cover)))
    lines += ["", article["description"], ""]
    for item in article["body"]:
        if item["type"] == "text":
            lines.append(item["content"])
        elif item["type"] == "image":
            caption = item.get("caption", "")
            lines.append(texts.PREVIEW_IMAGE.format(name=_name(item["url"]), caption=caption))
        elif item["type"] == "video":
            lines.append(texts.PREVIEW_VIDEO)
    return "\n".join(line.rstrip() for line in lines).strip()


def _name(url: str) -> str:
    return url.rsplit("/", 1)[-1]
