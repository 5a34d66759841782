"""Stray lines in a message's header block, skipped before the MIME parser reads it.

Web forms and old gateways write lines into the header block that are neither a header
nor a continuation (a bare word, a line without a colon). The feedparser takes the first
such line as the start of the body: every header after it (From, Subject, Content-Type)
is lost and the raw MIME becomes the text. A stray line followed by more headers is
dropped here instead, and the caller warns; stray lines after the last header stay, as
the feedparser reads them, as the start of the body. Only the top-level header block is
read this way (a part's header block is its client's, not a gateway's).
"""

from __future__ import annotations

import re

# email.feedparser's headerRE: a header, a continuation or an envelope "From " line.
_HEADER = re.compile(rb"From |[\041-\071\073-\176]*:|[\t ]")
# The start of a line that is none of these (nor empty): one scan of the whole block.
_STRAY = re.compile(rb"^(?!From |[\041-\071\073-\176]*:|[\t ]|\r?$)", re.MULTILINE)


def skip_stray_lines(raw: bytes) -> tuple[bytes, int]:
    """`raw` without the stray lines of its header block, and how many were dropped."""
    end = _block_end(raw)
    if _STRAY.search(raw, 0, end) is None:  # the usual case
        return raw, 0
    lines = raw[:end].split(b"\n")
    stray = [i for i, line in enumerate(lines) if line.strip(b"\r") and not _HEADER.match(line)]
    if not stray:
        return raw, 0
    last_header = max(
        (i for i, line in enumerate(lines) if line.strip(b"\r") and _HEADER.match(line)),
        default=-1,
    )
    dropped = {i for i in stray if i < last_header}
    if not dropped:
        return raw, 0
    kept = b"\n".join(line for i, line in enumerate(lines) if i not in dropped)
    return kept + raw[end:], len(dropped)


def _block_end(raw: bytes) -> int:
    """Where the top-level header block ends (the blank line after it, or the end)."""
    crlf = raw.find(b"\r\n\r\n")
    lf = raw.find(b"\n\n", 0, crlf + 2 if crlf >= 0 else len(raw))  # not a scan of 2 MB
    ends = [found for found in (crlf, lf) if found >= 0]
    return min(ends) if ends else len(raw)
