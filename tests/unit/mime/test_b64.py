"""The fast base64 decoder gives binascii's non-strict result, or refuses where it refuses."""

from __future__ import annotations

import base64
import binascii

from hypothesis import given, settings
from hypothesis import strategies as st

from mime.b64 import decode_base64, decode_base64_span

ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
NOISE = b"=\r\n \t-_!*.\x00\xff"


def _outcome(decode: object, data: bytes) -> bytes | str:
    try:
        return decode(data)  # type: ignore[operator, no-any-return]
    except (binascii.Error, ValueError) as exc:
        return type(exc).__name__


@settings(max_examples=1000)
@given(st.binary(max_size=300), st.lists(st.tuples(st.integers(0, 400), st.sampled_from(NOISE))))
def test_same_result_as_binascii_on_mime_base64_with_damage(
    payload: bytes, damage: list[tuple[int, int]]
) -> None:
    data = bytearray(base64.encodebytes(payload).replace(b"\n", b"\r\n"))
    for position, byte in damage:
        if data:
            data[position % len(data)] = byte
    assert _outcome(decode_base64, bytes(data)) == _outcome(binascii.a2b_base64, bytes(data))


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(list(ALPHABET + NOISE)), max_size=64))
def test_same_result_as_binascii_on_arbitrary_characters(chars: list[int]) -> None:
    data = bytes(chars)
    assert _outcome(decode_base64, data) == _outcome(binascii.a2b_base64, data)


def test_a_clean_multi_megabyte_body_decodes_to_the_same_bytes() -> None:
    payload = bytes(range(256)) * 8192  # 2 MiB
    encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    assert decode_base64(encoded) == payload
    cut = encoded[:-10]  # cut short
    assert _outcome(decode_base64, cut) == _outcome(binascii.a2b_base64, cut)


@settings(max_examples=500)
@given(st.binary(max_size=40), st.binary(max_size=300), st.binary(max_size=40))
def test_a_span_decodes_like_its_slice(before: bytes, payload: bytes, after: bytes) -> None:
    encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    raw = before + encoded + after
    start, end = len(before), len(before) + len(encoded)
    assert decode_base64_span(raw, start, end) == payload
    for cut in (start, max(start, end - 3), end + len(after)):  # cut short, or overlong
        try:
            got: bytes | str = decode_base64_span(raw, start, cut)
        except (binascii.Error, ValueError) as exc:
            got = type(exc).__name__
        assert got == _outcome(decode_base64, raw[start:cut])
