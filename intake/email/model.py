"""Value types of e-mail intake: a message as fetched from its source, and that message parsed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mime.model import ParsedMessage


@dataclass(frozen=True)
class FetchedMail:
    """One message as read from its source; `truncated` means only headers were fetched."""

    mailbox: str  # an IMAP folder, "drop" (the drop folder) or "import" (the CLI)
    uidvalidity: int
    uid: int
    raw: bytes = field(repr=False)
    size: int
    truncated: bool = False
    received_at: datetime | None = None  # the server's INTERNALDATE, aware UTC


@dataclass(frozen=True)
class ReadMail:
    """A fetched message, parsed, with the SHA-256 of its raw bytes (its identity)."""

    mail: FetchedMail
    parsed: ParsedMessage
    sha256: str
