"""The fast MIME splitter gives the same result as the stdlib parser on the golden corpus."""

from __future__ import annotations

import base64
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.email import fastmime
from intake.email.headblock import skip_stray_lines
from intake.email.model import ParsedMessage, ParseLimits
from intake.email.parse import parse_message
from tests.support.paths import GOLDEN

MAIL = sorted((GOLDEN / "mail").glob("*.eml"))
FAST = ParseLimits(fast_split_bytes=0)
STDLIB = ParseLimits(fast_split_bytes=10**12)


def _comparable(parsed: ParsedMessage) -> dict[str, object]:
    # A delivery report is stored as-is by the fast path; the stdlib parses it into header
    # blocks and re-serialises them (different line endings), so only its type is compared.
    data = parsed.to_json_dict() | {"warnings": []}
    data["attachments"] = [
        a if a["content_type"] != "message/delivery-status" else a["content_type"]
        for a in data["attachments"]  # type: ignore[attr-defined]
    ]
    return data


@pytest.mark.parametrize("path", MAIL, ids=[p.stem for p in MAIL])
def test_fast_and_stdlib_paths_agree(path: Path) -> None:
    raw = path.read_bytes()
    fast, slow = parse_message(raw, limits=FAST), parse_message(raw, limits=STDLIB)
    assert _comparable(fast) == _comparable(slow)
    assert fast.warnings == slow.warnings


HEAD = (
    "From: Phòng Văn hoá <vanhoa@huyen.gov.vn>\r\nSubject: Bài viết\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed{boundary}\r\n\r\n"
)
PART = "Content-Type: text/plain; charset=utf-8\r\n\r\nNội dung bài viết.\r\n"
BROKEN = {
    "no closing delimiter": HEAD.format(boundary='; boundary="b1"') + "--b1\r\n" + PART,
    "no delimiter at all": HEAD.format(boundary='; boundary="b1"') + PART,
    "no boundary parameter": HEAD.format(boundary="") + "--b1\r\n" + PART + "--b1--\r\n",
}


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
def test_broken_multiparts_are_flagged_alike(raw: str) -> None:
    data = raw.encode()
    fast, slow = parse_message(data, limits=FAST), parse_message(data, limits=STDLIB)
    assert "message_defects" in slow.warnings
    assert fast.warnings == slow.warnings
    assert _comparable(fast) == _comparable(slow)


def _leaves(msg: Message) -> list[tuple[str, str]]:
    # The stdlib splits a delivery report into header blocks; the fast path keeps it whole.
    # A single-part message's body keeps its last line break on the fast path only.
    if msg.get_content_type() == "message/delivery-status":
        return [(msg.get_content_type(), "")]
    if msg.is_multipart():
        return [
            leaf
            for part in msg.get_payload()
            if isinstance(part, Message)
            for leaf in _leaves(part)
        ]
    return [(msg.get_content_type(), str(msg.get_payload()).rstrip("\r\n"))]


@pytest.mark.parametrize("path", MAIL, ids=[p.stem for p in MAIL])
def test_leaf_payloads_read_from_the_raw_bytes_match_the_stdlib(path: Path) -> None:
    raw, _ = skip_stray_lines(path.read_bytes())  # as parse_message() hands it to both
    fast = fastmime.build(raw)
    assert _leaves(fast) == _leaves(BytesParser(policy=compat32).parsebytes(raw))
    read = [m for m in fast.walk() if m.get_content_type() != "message/delivery-status"]
    assert all(fastmime.body_span(m) is None for m in read)  # each one read once, now a str


def test_a_part_without_headers_keeps_its_text() -> None:
    raw = (
        HEAD.format(boundary='; boundary="b1"')
        + "--b1\r\n\r\nDòng đầu.\r\n\r\nDòng sau.\r\n--b1\r\n"
        + PART
        + "--b1--\r\n"
    ).encode()
    fast, slow = parse_message(raw, limits=FAST), parse_message(raw, limits=STDLIB)
    assert "Dòng đầu." in slow.text and "Dòng sau." in slow.text
    assert _comparable(fast) == _comparable(slow)
    assert fast.warnings == slow.warnings


def test_a_large_base64_leaf_is_decoded_from_its_span_without_a_str_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    photo = bytes(range(256)) * 4096  # 1 MiB
    encoded = base64.encodebytes(photo).replace(b"\n", b"\r\n").decode()
    raw = (
        HEAD.format(boundary='; boundary="b1"') + "--b1\r\n" + PART + "--b1\r\n"
        "Content-Type: image/jpeg; name=anh.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + encoded + "--b1--\r\n"
    ).encode()  # fmt: skip
    leaf = fastmime.build(raw).get_payload()[1]
    assert isinstance(leaf, Message)
    span = fastmime.body_span(leaf)
    assert span is not None and span[0] is raw  # still in place, nothing copied yet
    assert not leaf.is_multipart()  # answered without turning the body into a str
    assert fastmime.body_span(leaf) == span

    def no_str_copy(data: bytes) -> bytes:
        raise AssertionError("the photo was copied into a str and back")

    with monkeypatch.context() as patched:
        patched.setattr("intake.email.parts.decode_base64", no_str_copy)
        parsed = parse_message(raw, limits=FAST)
    assert [a.data for a in parsed.attachments] == [photo]
    assert _comparable(parsed) == _comparable(parse_message(raw, limits=STDLIB))


HEADER_BYTES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                b"Subject: B\xc3\xa0i vi\xe1\xba\xbft",
                b"From: =?utf-8?B?UGjDsm5n?= <vp@huyen.gov.vn>",
                b'Content-Type: multipart/mixed;\r\n\tboundary="b1"',
                b"X-Folded: a\r\n b\r\n  c",
                b"From sender@host Mon Jan  1 00:00:00 2026",
                b" continuation first",
                b": no name",
                b"no colon here",
                b"Name:",
                b"Name:\t\t value  ",
                b"Bare-CR: a\rb",
                b"LF-only: a\nb",
                b"Odd: a\x0bb\x0cc\x1cd",
                b"",
            ]
        ),
        st.binary(max_size=40),
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(HEADER_BYTES)
def test_header_blocks_read_alike_by_the_fast_reader_and_the_feedparser(
    lines: list[bytes],
) -> None:
    block = b"\r\n".join(lines)
    fast = fastmime.parse_headers(block)
    stdlib = BytesHeaderParser(policy=compat32).parsebytes(block + b"\r\n\r\n")
    assert fast.items() == stdlib.items()
    assert fast.get_unixfrom() == stdlib.get_unixfrom()
    assert [type(d) for d in fast.defects] == [type(d) for d in stdlib.defects]
    assert fast.get_content_type() == stdlib.get_content_type()


DELIMITERS = st.sampled_from([b"--b1", b"------=_Part_12_34.5", b"--Apple-Mail=_A1-B2", b"--"])
HAYSTACK = st.lists(
    st.sampled_from([b"-", b"--", b"b1", b"\r\n", b"QUJD", b"=_Part_12_34.5", b"x" * 70]),
    max_size=60,
).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(HAYSTACK, DELIMITERS, st.integers(0, 40), st.integers(0, 40))
def test_the_delimiter_search_finds_what_bytes_find_finds(
    haystack: bytes, delimiter: bytes, skip: int, cut: int
) -> None:
    """The memchr-first search (each "-" tried, then find() after 8 misses) returns exactly
    what bytes.find() returns, dashes everywhere or none, whatever the span."""
    raw = b"head" + haystack + delimiter + b"tail"
    start, end = min(skip, len(raw)), max(0, len(raw) - cut)
    assert fastmime._find(raw, delimiter, start, end) == raw.find(delimiter, start, end)


def test_the_delimiter_search_is_exact_past_many_dashes_and_through_base64() -> None:
    """More than eight stray dashes before the delimiter (the find() fallback), and a long
    base64 body with none."""
    dashes = b"-- -- --- - -- -------------- -\r\n" * 5 + b"--b1\r\n"
    assert fastmime._find(dashes, b"--b1", 0, len(dashes)) == dashes.index(b"--b1\r\n")
    body = base64.encodebytes(bytes(range(256)) * 4000) + b"\r\n--b1--\r\n"
    assert fastmime._find(body, b"--b1", 0, len(body)) == body.index(b"--b1--")
    assert fastmime._find(body, b"--b1", 0, len(body) - 10) == -1
