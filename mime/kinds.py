"""Guessing the product kind (news, article, image, poster, video, other) from content."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mime.model import ParsedAttachment

_POSTER_WORDS = re.compile(r"poster|áp phích|ap phich|infographic|pano|băng rôn|banner", re.I)
_VIDEO_WORDS = re.compile(r"\bvideo\b|\bclip\b|phóng sự", re.I)
_ARTICLE_WORDS = re.compile(r"\bbài viết\b|\bbài\b|tin bài|\bbài báo\b", re.I)
_VIDEO_LINK = re.compile(r"https?://\S*(youtube\.com|youtu\.be|drive\.google|fshare|vimeo)", re.I)
_ARTICLE_CHARS = 1500  # a "tin" is a few paragraphs; a "bài" is longer


def detect_kind(*, title: str, text: str, attachments: Sequence[ParsedAttachment]) -> str:
    """The most likely kind; editors can change it."""
    types = [a.content_type for a in attachments if not _is_logo(a)]
    images = [a for a in attachments if a.content_type.startswith("image/") and not _is_logo(a)]
    if any(t.startswith("video/") for t in types):
        return "video"
    if _VIDEO_WORDS.search(title) and _VIDEO_LINK.search(text):
        return "video"
    poster_named = any(_POSTER_WORDS.search(a.filename) for a in images)
    if images and (_POSTER_WORDS.search(title) or poster_named):
        return "poster"
    words = len(text.split())
    if len(text) >= _ARTICLE_CHARS or (_ARTICLE_WORDS.search(title) and words >= 150):
        return "article"
    if words >= 40:
        return "news"
    if images:
        return "image"
    if any(t == "application/pdf" for t in types) and _POSTER_WORDS.search(title):
        return "poster"
    return "news" if words >= 15 else "other"


def _is_logo(attachment: ParsedAttachment) -> bool:
    # Outlook/Gmail signature logos are small inline images, not content.
    return attachment.inline and attachment.size < 15_000
