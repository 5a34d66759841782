"""Draft items: what one recorded officer message contributes to a submission (pure)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.kinds import SubmissionKind
from domain.text import nfc
from intake.telegram import texts

CODE_RE = re.compile(r"\b(\d{4}-\d{2}-\d{4})\b")
TITLE_MAX = 200


@dataclass(frozen=True)
class DraftItem:
    """Text and/or one file from one message."""

    update_id: int
    text: str = ""
    media: str | None = None  # image / video / document
    file_id: str | None = None
    file_name: str = ""
    mime_type: str = "application/octet-stream"
    file_size: int = 0
    reply_code: str | None = None  # a submission code in the message this one replies to


MESSAGE_KINDS = ("message", "edited_message")


def message_of(raw: dict[str, Any]) -> dict[str, Any]:
    """The message of a recorded update: a new one or the new version of an edited one."""
    return raw.get("message") or raw.get("edited_message") or {}


def message_key(raw: dict[str, Any]) -> tuple[int, int] | None:
    """(chat id, message id): an edit carries the same pair as the message it changes."""
    message = message_of(raw)
    chat, ident = (message.get("chat") or {}).get("id"), message.get("message_id")
    return (int(chat), int(ident)) if chat is not None and ident is not None else None


def draft_items(raws: Sequence[dict[str, Any]]) -> list[DraftItem]:
    """The items of a draft's recorded messages (oldest first): each message in the place
    it was first sent, with the content of its latest edit."""
    items: dict[object, DraftItem | None] = {}
    for raw in raws:
        if not message_of(raw):
            continue  # a button press kept with the draft (a revision binding)
        key: object = message_key(raw) or raw["update_id"]
        item = item_of(raw)
        if item is not None or key not in items:
            items[key] = item
    return [item for item in items.values() if item is not None]


def item_of(raw: dict[str, Any]) -> DraftItem | None:
    """The draft item of a recorded update, or None if it carries nothing we keep."""
    message = message_of(raw)
    text = nfc(message.get("text") or message.get("caption") or "")
    replied = message.get("reply_to_message") or {}
    match = CODE_RE.search(replied.get("text") or "")
    base = {"update_id": raw["update_id"], "text": text, "reply_code": match and match[1]}
    file = _file_of(message, raw["update_id"])
    if file is None:
        return DraftItem(**base) if text else None
    return DraftItem(**base, **file)


def _file_of(message: dict[str, Any], update_id: int) -> dict[str, Any] | None:
    if message.get("photo"):
        best = max(message["photo"], key=lambda p: p.get("file_size") or p.get("width", 0))
        return {
            "media": "image",
            "file_id": best["file_id"],
            "file_name": f"anh-{update_id}.jpg",
            "mime_type": "image/jpeg",
            "file_size": best.get("file_size") or 0,
        }
    for key, media, default_mime in (
        ("video", "video", "video/mp4"),
        ("animation", "video", "video/mp4"),
        ("document", "document", "application/octet-stream"),
    ):
        obj = message.get(key)
        if obj:
            mime = obj.get("mime_type") or default_mime
            if key == "document" and mime.startswith(("image/", "video/")):
                media = mime.split("/")[0]
            name = obj.get("file_name") or f"{key}-{update_id}.{mime.split('/')[-1]}"
            return {
                "media": media,
                "file_id": obj["file_id"],
                "file_name": nfc(name),
                "mime_type": mime,
                "file_size": obj.get("file_size") or 0,
            }
    return None


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
