"""What composition takes in and gives out (pure data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TITLE_MAX = 150
AUTHOR_MAX = 50
SUMMARY_MAX = 300
SMALL_IMAGE = 10_000  # bytes: below this an image is a signature logo or an icon, not a photo


@dataclass(frozen=True)
class SourceFile:
    """One attachment: its stored filename, media (image/video/document/other), caption."""

    name: str
    media: str = "other"
    caption: str = ""
    size: int = 0  # bytes; 0 = unknown


@dataclass(frozen=True)
class Block:
    """One paragraph of an attached Word document: `heading`, `text` or list `item`."""

    kind: str
    text: str
    level: int = 0  # heading level (0 = the document's title)


@dataclass(frozen=True)
class Segment:
    """One Telegram message of a draft: its text (or caption) and the file it carries."""

    text: str = ""
    file: str | None = None  # the attachment's filename


@dataclass(frozen=True)
class Contacts:
    """Registry contact data that must not be published: phones (E.164) and e-mail
    addresses of the submitting officer and of every registered officer."""

    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edit:
    """What an editor changed; None keeps the composed value."""

    title: str | None = None
    summary: str | None = None
    body: str | None = None  # the body as text (see compose.body.body_text)
    cover: str | None = None  # filename of the chosen cover image


@dataclass(frozen=True)
class Source:
    """A submission as intake kept it: normalised text and attachments."""

    channel: str = "email"  # email | telegram | other
    subject: str = ""  # the mail's subject as sent (or the stored title)
    text: str = ""  # the mail's body; with a Word article attached, only the covering letter
    document: tuple[Block, ...] | None = None  # the attached Word article, when there is one
    document_name: str = ""
    segments: tuple[Segment, ...] = ()  # Telegram messages in order (text and files)
    files: tuple[SourceFile, ...] = ()
    author: str = ""  # the unit's name
    protected: Contacts = field(default_factory=Contacts)
    previous_title: str = ""  # the title of the version a revision answers
    answers_request: bool = False  # a reply to our change-request mail
    edit: Edit | None = None


@dataclass(frozen=True)
class Item:
    """One body item of the draft: text, heading or image (named by attachment filename)."""

    type: str
    content: str = ""
    name: str = ""
    caption: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.type == "image":
            out: dict[str, Any] = {"type": "image", "name": self.name}
            if self.caption:
                out["caption"] = self.caption
            return out
        return {"type": self.type, "content": self.content}


@dataclass
class Draft:
    """The article as it would be published, with what the editor should know."""

    title: str
    author: str
    description: str
    body: list[Item]
    cover: str | None
    letter: str
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape of `article compose --json`."""
        return {
            "title": self.title,
            "author": self.author,
            "description": self.description,
            "body": [item.to_json() for item in self.body],
            "cover": self.cover,
            "letter": self.letter,
            "warnings": list(self.warnings),
        }
