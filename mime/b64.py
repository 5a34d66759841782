"""Base64 bodies decoded by pybase64 (SIMD), with exactly binascii's non-strict result.

Decoding a photo's base64 is the largest single cost of parsing such a mail, and pybase64
(libbase64) does it several times faster than binascii. It is used only when the input is
one padded block (no "=" before the end), where both decoders agree; anything else, and
anything pybase64 refuses, goes to binascii, whose leniency the rest of the parser relies
on. A property test checks the two give the same bytes or both refuse, whatever the input.
"""

from __future__ import annotations

import binascii

import pybase64


def decode_base64(data: bytes) -> bytes:
    """binascii.a2b_base64(data), faster; raises binascii.Error when binascii would."""
    return decode_base64_span(data, 0, len(data))


def decode_base64_span(raw: bytes, start: int, end: int) -> bytes:
    """decode_base64(raw[start:end]) without copying the span out of `raw` first."""
    view = memoryview(raw)[start:end]
    first_pad = raw.find(b"=", start, end)
    if first_pad < 0 or raw[first_pad:end].rstrip(b" \t\r\n") in (b"=", b"=="):
        try:
            return pybase64.b64decode(view, validate=False)
        except (binascii.Error, ValueError):
            pass
    return binascii.a2b_base64(view)
