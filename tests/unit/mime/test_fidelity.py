"""Issue 22 (mail from clients outside our corpus): the edges the golden cases 48-73 leave."""

from __future__ import annotations

import binascii

import pytest

from mime.charsets import decode_bytes, decode_header_value
from mime.headblock import skip_stray_lines
from mime.parse import parse_message
from mime.uuencode import split_blocks
from tests.golden.build_corpus import ARTICLE_PARAS, NEWS, NEWS2
from tests.golden.mimekit import cp1258

HEAD = "From: Lê Hoa <hoa.le@syt.hungyen.gov.vn>\r\nSubject: Tin\r\n"


@pytest.mark.parametrize("text", [NEWS, NEWS2, *ARTICLE_PARAS])
def test_unlabelled_windows_1258_is_never_taken_for_utf8_with_stray_bytes(text: str) -> None:
    decoded, warning = decode_bytes(cp1258(text), None)
    assert decoded == text
    assert warning == "charset_missing (decoded as windows-1258)"


def test_mostly_binary_bytes_under_a_utf8_label_still_fall_back() -> None:
    decoded, warning = decode_bytes(cp1258(NEWS), "utf-8")
    assert decoded == NEWS
    assert warning == "charset_mislabelled: utf-8 (decoded as windows-1258)"


def test_raw_8bit_header_bytes_and_encoded_words_together() -> None:
    raw = "Tin văn hóa".encode("cp1258") + b" =?utf-8?Q?th=C3=A1ng_11?="
    text, warnings = decode_header_value(
        raw.decode("ascii", "surrogateescape"), charset="windows-1258"
    )
    assert text == "Tin văn hóa tháng 11" and warnings == []


@pytest.mark.parametrize(
    "raw",
    [
        b"Xin chao\r\n\r\nNoi dung.\r\n",  # no headers at all: the first line is the body's
        b"From: a@b.vn\r\nSubject: Tin\r\nDong cuoi khong phai header\r\n\r\nNoi dung.\r\n",
        b"From sender@b.vn Wed Nov 26 11:00:00 2025\r\nFrom: a@b.vn\r\n\r\nNoi dung.\r\n",
    ],
    ids=["no headers", "stray line after the last header", "mbox envelope line"],
)
def test_only_stray_lines_followed_by_headers_are_skipped(raw: bytes) -> None:
    assert skip_stray_lines(raw) == (raw, 0)


def test_a_stray_line_is_skipped_and_the_headers_after_it_read() -> None:
    raw = (HEAD + "Thong tin lien he\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").encode()
    parsed = parse_message(raw + "Nội dung bài.\r\n".encode())
    assert parsed.text == "Nội dung bài."
    assert parsed.sender.address == "hoa.le@syt.hungyen.gov.vn"
    assert "header_line_skipped: 1" in parsed.warnings


def test_sender_header_is_the_first_fallback() -> None:
    raw = (
        "From: <>\r\nSender: =?utf-8?b?UGjDsm5nIFRUIA==?= <tt@xa.vn>\r\n"
        "Reply-To: other@xa.vn\r\nSubject: Tin\r\n\r\nNội dung.\r\n"
    ).encode()
    parsed = parse_message(raw)
    assert (parsed.sender.address, parsed.sender.name) == ("tt@xa.vn", "Phòng TT")
    assert "sender_fallback: Sender" in parsed.warnings


def test_no_valid_mailbox_anywhere_keeps_the_name_and_warns() -> None:
    parsed = parse_message(b"From: =?utf-8?b?TMOqIEhvYQ==?= <>\r\nSubject: Tin\r\n\r\nX\r\n")
    assert (parsed.sender.address, parsed.sender.name) == (None, "Lê Hoa")
    assert "sender_missing" in parsed.warnings


def test_a_uuencoded_block_without_its_end_line_stays_text() -> None:
    block = "begin 644 anh.jpg\n" + binascii.b2a_uu(b"\xff\xd8\xff\xe0abc").decode()
    text, files = split_blocks("Tin.\n\n" + block)
    assert files == [] and text.endswith(block)


def test_text_that_only_looks_like_a_begin_line_stays() -> None:
    text = "begin 644 bao-cao.doc\nđây không phải uuencode\nend\n"
    assert split_blocks(text) == (text, [])


def test_uuencode_scanning_stays_linear_on_hostile_text() -> None:
    # Runs of spaces after a begin line, and many begin lines without an end: each would be
    # quadratic for a careless expression (seconds); linear, this is milliseconds.
    hostile = "begin 644 a" + " " * 200_000 + "b\n" + "begin 644 x\n" * 50_000
    text, files = split_blocks(hostile + "\n" * 5 + " " * 200_000)
    assert files == [] and len(text) > 400_000


def test_uuencoded_blocks_are_bounded_like_parts() -> None:
    block = "begin 644 a.bin\n" + binascii.b2a_uu(b"abc").decode() + "`\nend\n"
    text, files = split_blocks(block * 5, max_files=3)
    assert len(files) == 3 and text.count("begin 644") == 2
