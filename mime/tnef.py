"""Outlook winmail.dat (TNEF) unpacking."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Imported with the parser, not by the first winmail.dat: a parse worker then pays for it
# (with uuid and platform) when it starts, not in the middle of a sweep's first mail.
from tnefparse import TNEF

from mime.charsets import decode_bytes


@dataclass(frozen=True)
class TnefContent:
    """Body and files found inside a winmail.dat."""

    body: str | None
    html: str | None
    files: tuple[tuple[str, bytes], ...]


def unpack_tnef(data: bytes) -> TnefContent | None:
    """Unpack TNEF data, or None if it is not readable TNEF."""
    try:
        tnef = TNEF(data, do_checksum=True)  # checksums are only recorded, never enforced
    except Exception:  # tnefparse raises assorted errors on damaged input
        return None
    files: list[tuple[str, bytes]] = []
    for index, attachment in enumerate(tnef.attachments, start=1):
        name = member_name(_name(attachment)) or f"winmail-{index}.bin"
        payload = attachment.data if isinstance(attachment.data, bytes) else b""
        files.append((name, payload))
    return TnefContent(body=_text(tnef.body), html=_text(tnef.htmlbody), files=tuple(files))


_PATH_SEPARATORS = re.compile(r"[\\/]")


def member_name(name: str | None) -> str | None:
    """A member's file name without its path (`../../../../tmp/x.txt` is `x.txt`, a Windows
    `C:\\Users\\a\\b.doc` is `b.doc`) or control characters; None if nothing is left."""
    base = _PATH_SEPARATORS.split(name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip(" .")
    return base[:200] or None


def _name(attachment: object) -> str | None:
    for getter in ("long_filename", "name"):
        try:
            value = getattr(attachment, getter)
            value = value() if callable(value) else value
        except Exception:  # tnefparse decodes names with the message codepage; may fail
            continue
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if value:
            return str(value).strip("\x00 ")
    return None


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return decode_bytes(value.rstrip(b"\x00"), None)[0]
    return value if isinstance(value, str) else None
