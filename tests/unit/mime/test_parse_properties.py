"""Property tests: the normaliser never raises and always returns NFC strings."""

from __future__ import annotations

import base64
import unicodedata
from email.utils import getaddresses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mime.model import KINDS, ParsedMessage
from mime.parse import first_address, parse_message
from tests.support.paths import GOLDEN

CORPUS = [p.read_bytes() for p in sorted((GOLDEN / "mail").glob("*.eml"))]
HEADERS = st.sampled_from(
    [
        b"Subject: =?utf-8?B?",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
        b"Content-Type: message/rfc822\r\n\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Disposition: attachment; filename*0*=utf-8''%E1; filename*1=a\r\n",
        b"From: =?x?Q?=FF?= <@>\r\n",
        b'Content-Type: text/plain; charset=""\r\n',
        b"Content-Type: application/ms-tnef\r\n\r\n\x78\x9f\x3e\x22",
        b"\x80",
        b"Content-Disposition: attachment; filename=\xe1\xba\xa3nh.jpg\r\n",
        b'Content-Type: multipart/mixed; boundary="\xc3\xa1"\r\n',
    ]
)


def _check(parsed: ParsedMessage) -> None:
    # "unparseable" means the last-resort guard caught an exception: the parts must not.
    assert not any(w.startswith("unparseable") for w in parsed.warnings), parsed.warnings
    assert parsed.kind in KINDS
    for text in (parsed.title, parsed.text, parsed.sender.address or "", parsed.sender.name or ""):
        assert unicodedata.is_normalized("NFC", text)
    for attachment in parsed.attachments:
        assert attachment.size == len(attachment.data)
        assert unicodedata.is_normalized("NFC", attachment.filename)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _check(parse_message(raw))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(CORPUS),
    st.integers(min_value=0, max_value=100_000),
    st.lists(st.one_of(HEADERS, st.binary(max_size=64)), max_size=4),
)
def test_damaged_real_messages_never_raise(raw: bytes, cut: int, junk: list[bytes]) -> None:
    position = cut % (len(raw) + 1)
    damaged = raw[:position] + b"".join(junk) + raw[position + len(junk) * 7 :]
    _check(parse_message(damaged))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.text(max_size=2000))
def test_text_messages_keep_their_content(subject: str, body: str) -> None:
    raw = b"Subject: =?utf-8?B?" + base64.b64encode(subject.encode()) + b"?=\r\n"
    raw += b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    raw += base64.encodebytes(body.encode())
    parsed = parse_message(raw)
    _check(parsed)
    assert "unparseable" not in " ".join(parsed.warnings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(CORPUS),
    st.integers(min_value=0, max_value=100_000),
    st.lists(st.one_of(HEADERS, st.binary(max_size=64)), max_size=4),
)
def test_damaged_messages_never_raise(raw: bytes, cut: int, junk: list[bytes]) -> None:
    """The parser on damaged messages of every shape (junk inserted anywhere)."""
    position = cut % (len(raw) + 1)
    damaged = raw[:position] + b"".join(junk) + raw[position:]
    parsed = parse_message(damaged)
    _check(parsed)
    assert not any(w.startswith("unparseable") for w in parsed.warnings)


_NAME_CHARS = st.sampled_from(list("aAzZ09 \t.-'_\"\\<>@,;:()[]ăâđêôơưÁàảãạỆễỌ\u00a0\r\n"))
_ATOMS = st.text(st.sampled_from(list("abcXYZ019-_+.")), min_size=1, max_size=8)


@st.composite
def _from_headers(draw: st.DrawFn) -> str:
    words = st.text(st.sampled_from(list("aZ9.-'_ăđÁảỆễ")), min_size=1, max_size=6)
    spaces = st.sampled_from([" ", "  ", "\t", " \t "])
    plain_name = st.builds(
        lambda ws, gaps: "".join(w + g for w, g in zip(ws, gaps, strict=False)).strip(),
        st.lists(words, min_size=1, max_size=4),
        st.lists(spaces, min_size=4, max_size=4),
    )
    name = draw(st.one_of(plain_name, st.text(_NAME_CHARS, max_size=20)))
    address = f"{draw(_ATOMS)}@{draw(_ATOMS)}"
    form = draw(st.sampled_from(["{n} <{a}>", '"{n}" <{a}>', "{a}", "<{a}>", "{n}{a}", "{n}"]))
    pad = draw(st.sampled_from(["", " ", "\t", "  "]))
    return pad + form.format(n=name, a=address) + pad


@settings(max_examples=600, deadline=None)
@given(st.one_of(_from_headers(), st.text(max_size=40)))
def test_the_fast_sender_reading_agrees_with_getaddresses(value: str) -> None:
    pairs = getaddresses([value])
    assert first_address(value) == (pairs[0] if pairs else ("", ""))
