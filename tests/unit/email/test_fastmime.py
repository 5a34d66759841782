"""The fast MIME splitter gives the same result as the stdlib parser on the golden corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.email.model import ParsedMessage, ParseLimits
from intake.email.parse import parse_message

MAIL = sorted((Path(__file__).parents[2] / "golden" / "mail").glob("*.eml"))
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
