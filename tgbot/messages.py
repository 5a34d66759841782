"""What one recorded Bot API message carries: its text and at most one file (pure).

Officers' drafts are read with it (intake.telegram), and so is a stored Telegram submission
when its article is composed again (sources.stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.text import nfc


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
    reply_to: int | None = None  # the id of the message this one replies to (same chat)


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
    reply_to = replied.get("message_id")
    base = {
        "update_id": raw["update_id"],
        "text": text,
        "reply_to": reply_to if isinstance(reply_to, int) else None,
    }
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
