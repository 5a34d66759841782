"""What the MIME normaliser makes of a message (pure data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("news", "article", "image", "poster", "video", "other")


@dataclass(frozen=True)
class ParseLimits:
    """Bounds that keep a hostile or broken message from exhausting memory or time."""

    max_parts: int = 500
    max_depth: int = 8
    max_text_chars: int = 2_000_000
    max_header_chars: int = 20_000


@dataclass(frozen=True)
class ParsedAttachment:
    """One real part of the message (file, inline image, unpacked TNEF member)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    size: int
    sha256: str
    inline: bool = False
    content_id: str | None = None


@dataclass(frozen=True)
class Sender:
    """The From address (lower case, NFC) and display name."""

    address: str | None
    name: str | None


@dataclass(frozen=True)
class ParsedMessage:
    """A message normalised for intake; every string is NFC."""

    message_id: str | None
    sender: Sender
    title: str
    text: str
    kind: str
    attachments: tuple[ParsedAttachment, ...]
    warnings: tuple[str, ...]
    subject: str = ""
    date: datetime | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    cover_note: str | None = None
    automated: bool = False
    legacy_encoding: str | None = None

    @classmethod
    def empty(cls, warning: str) -> ParsedMessage:
        """A message nothing could be read from, but `warning` (its raw bytes stay stored)."""
        return cls(
            message_id=None,
            sender=Sender(address=None, name=None),
            title="",
            text="",
            kind="other",
            attachments=(),
            warnings=(warning,),
        )

    def to_json_dict(self) -> dict[str, object]:
        """The public JSON shape of `intake parse --json`."""
        return {
            "message_id": self.message_id,
            "sender": {"address": self.sender.address, "name": self.sender.name},
            "title": self.title,
            "text": self.text,
            "kind": self.kind,
            "attachments": [
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                }
                for a in self.attachments
            ],
            "warnings": list(self.warnings),
        }
