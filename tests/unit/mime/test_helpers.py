"""Unit tests of the normaliser's helpers with Vietnamese cases."""

from __future__ import annotations

import unicodedata

import pytest

from mime.charsets import decode_bytes, decode_header_value
from mime.htmltext import html_to_text
from mime.legacy import encoding_for_font, tcvn3_to_unicode, vni_to_unicode
from mime.parse import parse_message
from mime.quotes import strip_quotes
from mime.subjects import clean_subject, is_forward_subject
from tests.golden.legacy_encode import to_tcvn3, to_vni
from tests.golden.mimekit import cp1258


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Re: RE: Fwd: Tin tức", "Tin tức"),
        ("TL: Trả lời: Chuyển tiếp: Bài viết tháng 11", "Bài viết tháng 11"),
        ("FW: [Sở Y tế] Re: Tin", "Tin"),
        ("Re[2]: Ảnh", "Ảnh"),
        ("Retail: không phải tiền tố", "Retail: không phải tiền tố"),
        ("Tin: ngắn", "Tin: ngắn"),
    ],
)
def test_clean_subject(subject: str, title: str) -> None:
    assert clean_subject(subject) == title


def test_forward_subjects() -> None:
    assert is_forward_subject("Fwd: x") and is_forward_subject("Chuyển tiếp: x")
    assert not is_forward_subject("Re: Fwd: x")


def test_windows_1258_decodes_to_nfc() -> None:
    text, warning = decode_bytes(cp1258("Việt Nam thống nhất"), "windows-1258")
    assert text == "Việt Nam thống nhất" and warning is None
    assert unicodedata.is_normalized("NFC", text)


def test_mislabelled_and_unknown_charsets_warn() -> None:
    text, warning = decode_bytes("Thái Bình".encode(), "iso-8859-1")
    assert text == "Thái Bình" and warning and warning.startswith("charset_mislabelled")
    text, warning = decode_bytes(cp1258("Hưng Yên"), "x-bogus")
    assert text == "Hưng Yên" and warning and warning.startswith("charset_unknown")


def test_a_charset_label_with_a_nul_is_an_unknown_charset() -> None:
    # codecs.lookup() raises ValueError, not LookupError, for "iso-8859\x00-1"
    text, warning = decode_bytes("Hưng Yên".encode(), "iso-8859\x00-1")
    assert text == "Hưng Yên" and warning and warning.startswith("charset_unknown")
    raw = (
        "Subject: Tin\r\nContent-Type: text/plain; charset=iso-8859\x00-1\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nSáng ngày 24/11, Ủy ban nhân dân xã.\r\n"
    ).encode()
    parsed = parse_message(raw)
    assert parsed.text == "Sáng ngày 24/11, Ủy ban nhân dân xã."
    assert not any(w.startswith("unparseable") for w in parsed.warnings)


def test_header_with_raw_8bit_and_encoded_words() -> None:
    raw = b"Tin " + "văn hóa".encode()
    text, _ = decode_header_value(raw.decode("ascii", "surrogateescape"))
    assert text == "Tin văn hóa"
    text, _ = decode_header_value("=?utf-8?Q?Th=C3=B4ng_b=C3=A1o?= =?utf-8?B?IG3hu5tp?=")
    assert text == "Thông báo mới"


def test_legacy_roundtrips() -> None:
    sentence = "nguyễn văn đường, thái bình, sự kiện tuyên truyền"
    assert tcvn3_to_unicode(to_tcvn3(sentence)) == sentence
    assert tcvn3_to_unicode("Nguy\xd4n V\xb5 Th\xb8i B\xd7nh") == "Nguyễn Và Thái Bình"
    assert vni_to_unicode("Tieáng Vieät, Thaùi Bình") == "Tiếng Việt, Thái Bình"
    assert vni_to_unicode(to_vni("Đường Hưng Yên, Quỳnh Phụ")) == "Đường Hưng Yên, Quỳnh Phụ"
    assert encoding_for_font(".VnTimeH") == "tcvn3h"
    assert encoding_for_font("VNI-Times") == "vni"
    assert encoding_for_font("Times New Roman") is None


def test_html_to_text_keeps_paragraphs_drops_scripts() -> None:
    html = (
        "<style>p{}</style><p>Đoạn một</p><div>Dòng 1<br>Dòng 2</div>"
        "<script>x()</script><blockquote type='cite'>cũ</blockquote>"
    )
    assert html_to_text(html) == "Đoạn một\n\nDòng 1\nDòng 2"


@pytest.mark.parametrize(
    "tail",
    [
        "\n\nOn Mon, 24 Nov 2025 at 10:00, A <a@b.vn> wrote:\n> cũ\n",
        "\n\nVào Th 2, 24 thg 11, 2025 lúc 10:00 A <a@b.vn>\nđã viết:\n> cũ\n",
        "\n\nTừ: A <a@b.vn>\nĐã gửi: Thứ Hai, 24 tháng 11, 2025\nChủ đề: cũ\n",
        "\n\n-----Original Message-----\nFrom: A\nSent: hôm qua\n",
        "\n\n-- \nNguyễn Văn A\n0912 345 678\n",
        "\n\nGửi từ iPhone của tôi\n",
    ],
)
def test_quotes_and_signatures_removed(tail: str) -> None:
    assert strip_quotes("Nội dung tin mới." + tail) == "Nội dung tin mới."


def test_forwarded_content_is_kept() -> None:
    text = "Chuyển.\n\n-----Original Message-----\nFrom: A\n\nNội dung gốc."
    assert strip_quotes(text, forwarded=True).endswith("Nội dung gốc.")
    gmail = "Chuyển.\n\n---------- Forwarded message ---------\nFrom: A\n\nNội dung gốc."
    assert strip_quotes(gmail).endswith("Nội dung gốc.")
