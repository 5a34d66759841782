"""Compose a Zalo article body from an approved submission (pure: no I/O).

Limits from the Article API: title <= 150 characters, author <= 50, description <= 300; body as
one plain `text` item per paragraph plus `image` items with captions (HTML is not documented).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True)
class ArticleSource:
    """What composition needs from a submission, its unit and its prepared media."""

    title: str
    body: str
    unit_name: str
    cover_url: str
    summary: str = ""
    images: Sequence[ImageRef] = field(default_factory=tuple)
    videos: Sequence[VideoRef] = field(default_factory=tuple)


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


def paragraphs(body: str, /) -> list[str]:
    """Paragraphs split on blank lines; single line breaks inside a paragraph become spaces."""
    blocks = re.split(r"\n\s*\n", clean(body))
    return [" ".join(line for line in b.split("\n") if line) for b in blocks if b.strip()]


def derive_summary(body: str, /) -> str:
    """The first paragraph, cut to 300 characters (preferably at a sentence end)."""
    first = next(iter(paragraphs(body)), "")
    if len(first) <= SUMMARY_MAX:
        return first
    sentences = re.split(r"(?<=[.!?…])\s+", first)
    summary = ""
    for sentence in sentences:
        if len(summary) + len(sentence) + 1 > SUMMARY_MAX:
            break
        summary = f"{summary} {sentence}".strip()
    return summary or cut(first, SUMMARY_MAX)


def compose_article(
    source: ArticleSource, /, *, status: str = "hide", comment: str = "show"
) -> dict[str, Any]:
    """The `article/create` body: paragraphs with images after them, videos, the unit credit."""
    paras = paragraphs(source.body)
    items: list[dict[str, Any]] = []
    images = list(source.images)
    for index, para in enumerate(paras):
        items.append({"type": "text", "content": para})
        if index < len(images):
            items.append(_image(images[index]))
    items.extend(_image(img) for img in images[len(paras) :])
    for video in source.videos:
        items.extend(_video(video))
    items.append({"type": "text", "content": texts.CREDIT.format(unit=clean(source.unit_name))})
    summary = cut(source.summary, SUMMARY_MAX) if source.summary.strip() else ""
    return {
        "type": "normal",
        "title": cut(source.title, TITLE_MAX),
        "author": cut(source.unit_name, AUTHOR_MAX),
        "cover": {"cover_type": "photo", "photo_url": source.cover_url, "status": "show"},
        "description": summary or derive_summary(source.body),
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
    """A plain-text rendering for the review card and the CLI."""
    lines = [f"📰 {article['title']}", f"✍️ {article['author']}", "", article["description"], ""]
    for item in article["body"]:
        if item["type"] == "text":
            lines.append(item["content"])
        elif item["type"] == "image":
            lines.append(texts.PREVIEW_IMAGE.format(caption=item.get("caption", "")))
        elif item["type"] == "video":
            lines.append(texts.PREVIEW_VIDEO)
    return "\n".join(lines).strip()
