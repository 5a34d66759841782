"""A MIME tree builder that finds boundaries with bytes.find().

email's feedparser reads a message line by line: a 2 MB base64 photo is ~27,000 lines and
~50 ms. Here header blocks are read by parse_headers() (the feedparser only for unusual
ones); bodies are located by offsets into the raw bytes between boundary lines, giving the
same compat32 Message tree for well-formed mail, and the same boundary defects the
feedparser records for broken multiparts. Used by parse_message for every message (see
ParseLimits.fast_split_bytes); a test compares both paths on the golden corpus. One
difference: a part the stdlib re-serialises (a bounce's message/delivery-status) is kept
here as the exact bytes of the mail.

Nothing is copied on the way down: a leaf keeps the span of its body in the raw message
(`SpanMessage.span`) and turns it into compat32's str payload only when something asks for
it. The parser decodes base64 straight from the span, so a 2.7 MB base64 photo is read once
instead of being sliced and re-encoded five times (each copy touching fresh memory).
"""

from __future__ import annotations

import re
from email import errors
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from intake.email.bounds import HeaderTruncatedDefect, bound_header, bounded_policy

_MAX_DEPTH = 20


class SpanMessage(Message):
    """A compat32 Message whose leaf payload stays in the raw bytes until first used."""

    span: tuple[bytes, int, int] | None = None  # (raw message, start, end) of the body

    @property
    def _payload(self) -> Any:
        if self.span is not None:
            raw, start, end = self.span
            self.span = None
            self.__dict__["_payload"] = str(memoryview(raw)[start:end], "ascii", "surrogateescape")
        return self.__dict__.get("_payload")

    @_payload.setter
    def _payload(self, value: Any) -> None:
        self.span = None
        self.__dict__["_payload"] = value

    def is_multipart(self) -> bool:
        # Message.is_multipart() reads the payload: a leaf would be turned into a str (a
        # 2.7 MB copy for a photo) just to answer no, before its span is decoded directly.
        return self.span is None and super().is_multipart()


_HEADER_LINE = re.compile(r"[\041-\071\073-\176]+:")  # a name, then its colon
_SPLITS_ELSEWHERE = re.compile(rb"[\x0b\x0c\x1c-\x1e]")  # str.splitlines() breaks there


def parse_headers(block: bytes) -> Message:
    """The Message of a header block (without the blank line after it), as compat32's
    BytesHeaderParser makes it. The ordinary case (name: value lines and their continuation
    lines) is read here, twice as fast as the feedparser, which takes anything else: an
    envelope "From " line, a line that is not a header, a header without a name. A property
    test checks both give the same headers.

    Each value is cut to its bounds (intake/email/bounds.py), the cut recorded as a
    HeaderTruncatedDefect."""
    if _SPLITS_ELSEWHERE.search(block) is None:
        headers = _plain_headers(block.decode("ascii", "surrogateescape"))
        if headers is not None:
            msg = SpanMessage(policy=compat32)
            for name, value in headers:
                bounded = bound_header(name, value)
                if bounded is not None:
                    msg.defects.append(HeaderTruncatedDefect(name))
                msg.set_raw(name, value if bounded is None else bounded)
            return msg
    truncated: list[str] = []
    policy = bounded_policy(truncated)
    parsed = BytesHeaderParser(_class=SpanMessage, policy=policy).parsebytes(block + b"\r\n\r\n")
    parsed.defects.extend(HeaderTruncatedDefect(name) for name in truncated)
    return parsed


def _plain_headers(text: str) -> list[tuple[str, str]] | None:
    headers: list[tuple[str, str]] = []
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        if line[0] in " \t":
            if not lines:
                return None  # a continuation with nothing to continue: the feedparser's
            lines.append(line)
            continue
        if not _HEADER_LINE.match(line):
            return None
        if lines:
            headers.append(_header(lines))
        lines = [line]
    if lines:
        headers.append(_header(lines))
    return headers


def _header(lines: list[str]) -> tuple[str, str]:
    """compat32.header_source_parse(): the value keeps its folding, not its last newline."""
    name, value = lines[0].split(":", 1)
    return name, (value.lstrip(" \t") + "".join(lines[1:])).rstrip("\r\n")


def body_span(part: Message) -> tuple[bytes, int, int] | None:
    """(raw, start, end) of a fastmime leaf's body not yet turned into a str, else None."""
    return part.span if isinstance(part, SpanMessage) else None


def build(raw: bytes) -> Message:
    """The compat32 Message tree of `raw`; a leaf's payload becomes a surrogate-escaped str
    when first asked for (`body_span` gives its place in `raw` until then)."""
    return _build(raw, 0, len(raw), 0)


def _build(raw: bytes, start: int, end: int, depth: int) -> Message:
    head_end, body = _split_head(raw, start, end)
    msg = parse_headers(raw[start:head_end])
    multipart = msg.get_content_maintype() == "multipart"
    boundary = _boundary(msg) if multipart else None
    if multipart and not boundary:
        msg.defects.append(errors.NoBoundaryInMultipartDefect())
    if boundary and depth < _MAX_DEPTH:
        split = split_parts(raw, body, end, boundary.encode("utf-8", "surrogateescape"))
        if split is None:
            msg.defects.append(errors.StartBoundaryNotFoundDefect())
        else:
            parts, closed = split
            if not closed:
                msg.defects.append(errors.CloseBoundaryNotFoundDefect())
            msg.set_payload([_build(raw, s, e, depth + 1) for s, e in parts])
            return msg
    if msg.get_content_type() == "message/rfc822" and depth < _MAX_DEPTH:
        msg.set_payload([_build(raw, body, end, depth + 1)])
        return msg
    assert isinstance(msg, SpanMessage)
    msg.span = (raw, body, end)
    return msg


def _boundary(msg: Message) -> str | None:
    try:
        return msg.get_boundary()
    except Exception:  # an RFC 2231 boundary*= naming a codec that is not text: TypeError
        return None


def _split_head(raw: bytes, start: int, end: int) -> tuple[int, int]:
    """Where the header block of raw[start:end] ends and its body starts."""
    for blank in (b"\r\n", b"\n"):  # no headers at all: the body follows the blank line
        if raw.startswith(blank, start, end):
            return start, start + len(blank)
    crlf = raw.find(b"\r\n\r\n", start, end)
    # Only look for a bare-LF blank line before the CRLF one (a full scan costs ms).
    lf = raw.find(b"\n\n", start, crlf + 2 if crlf >= 0 else end)
    if lf >= 0 and (crlf < 0 or lf < crlf):
        return lf, lf + 2
    if crlf >= 0:
        return crlf, crlf + 4
    return end, end


def split_parts(
    raw: bytes, start: int, end: int, boundary: bytes
) -> tuple[list[tuple[int, int]], bool] | None:
    """Spans of the bodies between `--boundary` lines in raw[start:end] (the newline before
    each delimiter belongs to it).

    None if no delimiter line is found; otherwise the parts and whether the closing
    delimiter was there.
    """
    delimiter = b"--" + boundary
    parts: list[tuple[int, int]] = []
    first: int | None = None
    position = start
    while True:
        found = _find(raw, delimiter, position, end)
        if found < 0:
            break
        position = found + len(delimiter)
        if found != start and raw[found - 1] != 0x0A:  # not at the start of a line
            continue
        line_end = raw.find(b"\n", position, end)
        line_end = end if line_end < 0 else line_end
        rest = raw[position:line_end].rstrip(b"\r \t")
        if rest not in (b"", b"--"):
            continue
        if first is not None:
            parts.append((first, max(first, _before_newline(raw, found))))
        if rest == b"--":
            return parts, True
        first = min(line_end + 1, end)
    if first is None:
        return None
    parts.append((first, end))  # no closing delimiter: keep what is there
    return parts, False


def _find(raw: bytes, delimiter: bytes, position: int, end: int) -> int:
    """raw.find(delimiter, position, end), faster over long bodies.

    bytes.find() of a needle this long runs the two-way algorithm, ~2 GB/s here; a search
    for one byte is memchr(), several times faster. A delimiter starts with "-", which
    base64 (most of a big mail's bytes) never contains, so each "-" is tried in turn; after
    a few that are not the delimiter (text full of dashes), the rest is left to find().
    """
    for _ in range(8):
        found = raw.find(b"-", position, end)
        if found < 0 or raw.startswith(delimiter, found, end):
            return found
        position = found + 1
    return raw.find(delimiter, position, end)


def _before_newline(raw: bytes, position: int) -> int:
    if raw[position - 2 : position] == b"\r\n":
        return position - 2
    if raw[position - 1 : position] == b"\n":
        return position - 1
    return position
