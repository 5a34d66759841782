"""Editors read intake warnings in Vietnamese; the stored codes stay stable."""

from __future__ import annotations

import json

from domain.warnings import warning_text
from tests.support import paths

GOLDEN = paths.GOLDEN / "mail"


def test_every_warning_of_the_golden_corpus_reads_as_vietnamese() -> None:
    codes = {w for f in GOLDEN.glob("*.json") for w in json.loads(f.read_text())["warnings"]}
    assert len(codes) >= 10
    for code in codes:
        text = warning_text(code)
        name = code.removeprefix("header ").split(":")[0].split(" (")[0]
        assert text != code and name not in text, code


def test_details_are_kept_and_tidied() -> None:
    assert warning_text("attachment_refused: virus.exe") == (
        "Tệp không thuộc định dạng được tiếp nhận, không đưa vào tin, bài (vẫn còn trong thư "
        "gốc): virus.exe"
    )
    assert warning_text("legacy_encoding_converted: tcvn3").startswith(
        "Tệp Word dùng bảng mã cũ TCVN3"
    )
    assert warning_text("header charset_unknown: bogus (decoded as utf-8)") == (
        "Đầu thư: bảng mã không rõ (bogus): có thể bị lỗi dấu tiếng Việt, cần kiểm tra"
    )
    assert warning_text("charset_missing (decoded as windows-1258)") == (
        "Thư không khai báo bảng mã: có thể bị lỗi dấu tiếng Việt, cần kiểm tra"
    )
    assert warning_text("unparseable: UnicodeError").startswith("Không đọc được thư")
    assert warning_text("reply_to_notification: 2026-11-0007") == (
        "Thư trả lời thông báo của Ban Biên tập về tin, bài 2026-11-0007: có thể không phải "
        "tin, bài mới"
    )
    assert warning_text("something_new: x") == "something_new: x"  # shown as it is
