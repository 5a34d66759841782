"""Is this file an e-mail at all? An empty file, a program or a random text is refused with a
clear reason; real mail, however broken, is always let through (and stored)."""

from __future__ import annotations

import re

# Header fields every real message carries at least one of (RFC 5322, MIME, transport).
_KNOWN = frozenset(
    {
        b"from", b"to", b"cc", b"bcc", b"subject", b"date", b"message-id", b"received",
        b"return-path", b"mime-version", b"content-type", b"delivered-to", b"reply-to",
        b"sender", b"in-reply-to", b"references", b"x-mailer", b"user-agent", b"thread-topic",
    }
)  # fmt: skip
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")  # printable ASCII except ":" (RFC 5322 3.6.8)
_HEAD_BYTES = 256 * 1024

EMPTY = "tệp rỗng"
BINARY = "tệp nhị phân (chương trình, ảnh hoặc tệp nén), không phải văn bản thư"
NO_HEADERS = "không có phần đầu thư (From, To, Subject, Date…)"


def not_mail_reason(raw: bytes) -> str | None:
    """Why `raw` is not an e-mail message (Vietnamese), or None when it is one.

    Mail starts with header fields ("Name: value" lines, an mbox "From " line allowed), at
    least one of them a field mail carries; a few stray lines among them (old gateways, web
    forms) are allowed while fields are the majority; the block never holds a NUL byte.
    """
    head = raw[:_HEAD_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n\t ")
    if not head:
        return EMPTY
    end = min((i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0), default=-1)
    block = head[:end] if end >= 0 else head
    if b"\x00" in block:
        return BINARY
    names: list[bytes] = []
    stray = 0
    for number, line in enumerate(block.splitlines()):
        if number == 0 and line.startswith(b"From "):
            continue  # an mbox separator line
        if line[:1] in (b" ", b"\t") and names:
            continue  # a folded continuation of the previous field
        match = _FIELD.match(line)
        if match is None:
            stray += 1  # a gateway's or web form's stray line: the parser skips it too
            continue
        names.append(match.group(1).lower())
    if not _KNOWN.intersection(names) or stray > len(names):
        return NO_HEADERS
    return None
