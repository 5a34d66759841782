"""What an officer's draft is made of: supported messages, title, body, kind, summary (pure).

The messages themselves are read by tgbot.messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from domain.kinds import SubmissionKind
from intake.telegram import texts
from tgbot.messages import DraftItem

TITLE_MAX = 200


def is_supported(message: dict[str, Any]) -> bool:
    """Text, photo, video, animation or document; not stickers, voice, locations..."""
    keys = ("text", "photo", "video", "animation", "document")
    return any(message.get(k) for k in keys) and not message.get("sticker")


def title_of(items: Sequence[DraftItem]) -> str:
    """The first line of the first text, cut to a sensible title length."""
    for item in items:
        for line in item.text.splitlines():
            line = line.strip()
            if line:
                return line if len(line) <= TITLE_MAX else line[:TITLE_MAX].rsplit(" ", 1)[0] + "…"
    return ""


def body_of(items: Sequence[DraftItem]) -> str:
    """All texts and captions, in order, one paragraph each."""
    return "\n\n".join(i.text.strip() for i in items if i.text.strip())


def guess_kind(items: Sequence[DraftItem]) -> SubmissionKind:
    """A first guess editors can change: video, images, article (long text) or news."""
    media = Counter(i.media for i in items if i.media)
    length = len(body_of(items))
    if media["video"]:
        return SubmissionKind.VIDEO
    if media["image"] and length < 400:
        return SubmissionKind.IMAGE
    if length >= 2500:
        return SubmissionKind.ARTICLE
    if length:
        return SubmissionKind.NEWS
    return SubmissionKind.OTHER


def summary_items(items: Sequence[DraftItem]) -> str:
    """``2 đoạn văn bản, 3 ảnh`` for the draft summary."""
    parts = []
    n_text = sum(1 for i in items if i.text and not i.media)
    if n_text:
        parts.append(texts.DRAFT_ITEM_TEXT.format(n=n_text))
    media = Counter(i.media for i in items if i.media)
    for kind, label in texts.DRAFT_ITEM_MEDIA.items():
        if media[kind]:
            parts.append(label.format(n=media[kind]))
    return ", ".join(parts)
