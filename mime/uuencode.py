"""uuencoded files: whole parts (Content-Transfer-Encoding: x-uuencode) and the
`begin 644 name` ... `end` blocks that old clients and gateways put inside plain text."""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

ENCODINGS = frozenset({"x-uuencode", "uuencode", "x-uue", "uue"})
# Linear expressions only (a hostile text is megabytes of spaces): the name's trailing
# whitespace is stripped in Python, and a run of blank lines starts at a line break.
_BEGIN = re.compile(r"^begin +[0-7]{3,4} +(?P<name>\S[^\r\n]*)", re.MULTILINE)
_BLANK_LINES = re.compile(r"\r?\n(?:[ \t]*\r?\n){2,}")  # where a block was taken out
_END = re.compile(r"^end[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class UuFile:
    """One decoded file: the name on its `begin` line and its bytes."""

    name: str
    data: bytes


def decode_block(lines: list[str]) -> bytes | None:
    """The bytes of the lines between `begin` and `end`, or None if they are not uuencode."""
    out = bytearray()
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip() or not line.isascii():
            if line.strip():
                return None
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            # Trailing garbage (padding some encoders add): keep the bytes the length
            # character announces, as the uu module did.
            size = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
            try:
                out += binascii.a2b_uu(line[:size])
            except binascii.Error:
                return None
    return bytes(out)


def split_blocks(text: str, *, max_files: int = 100) -> tuple[str, list[UuFile]]:
    """`text` without its complete begin ... end blocks, and the files they hold (at most
    `max_files`); a block without its `end` line, or whose lines are not uuencode, stays in
    the text."""
    if "begin " not in text:
        return text, []
    files: list[UuFile] = []
    kept: list[str] = []
    position = 0
    while len(files) < max_files and (begin := _BEGIN.search(text, position)) is not None:
        end = _END.search(text, begin.end())
        if end is None:
            break
        data = decode_block(text[begin.end() : end.start()].splitlines())
        if data is None:
            kept.append(text[position : end.end()])
        else:
            kept.append(text[position : begin.start()])
            files.append(UuFile(begin["name"].strip(), data))
        position = end.end()
    kept.append(text[position:])
    if not files:
        return text, []
    return _BLANK_LINES.sub("\n\n", "".join(kept)), files


def decode_part(payload: str) -> UuFile | None:
    """The file of a part sent with a uuencode transfer encoding (its first block)."""
    begin = _BEGIN.search(payload)
    if begin is None:
        return None
    end = _END.search(payload, begin.end())
    stop = end.start() if end is not None else len(payload)
    data = decode_block(payload[begin.end() : stop].splitlines())
    return None if data is None else UuFile(begin["name"].strip(), data)
