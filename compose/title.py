"""Titles from subjects: reply/forward prefixes, our codes and system phrases removed, and
a covering letter's subject told apart from an article's title (pure)."""

from __future__ import annotations

import re

_I = re.IGNORECASE
PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?"
    r"(?:re|aw|sv|fw|fwd|tr|tl|tlời|trả\s*lời|chuyển\s*tiếp|chuyển|ct|fyi)"
    r"(?:\s*\[\d+\]|\s*\(\d+\))?\s*[:：]\s*",
    _I,
)
OUR_CODE = re.compile(
    r"\[\s*\d{4}-\d{2}-\d{4}\s*\]|\(\s*\d{4}-\d{2}-\d{4}\s*\)|\b\d{4}-\d{2}-\d{4}\b"
)
# Phrases of the subjects our own mail carries (review/texts.py, intake/email/texts.py).
SYSTEM_PHRASES = re.compile(
    r"^\s*(?:đề\s*nghị\s*chỉnh\s*sửa\s*bài|bài\s*đã\s*được\s*duyệt|bài\s*không\s*được\s*duyệt|"
    r"đã\s*nhận|đã\s*tiếp\s*nhận\s*bài\s*gửi|nhắc\s*gửi\s*sản\s*phẩm|\[newsdesk\])\s*[:：]?\s*",
    _I,
)
LETTER_SUBJECT = re.compile(
    r"^(?:v/v|v\.v\.?|về\s*việc|vv)\b|"
    r"^(?:xin\s*|kính\s*|trân\s*trọng\s*)?(?:gửi|chuyển)\s*(?:tin|bài|sản\s*phẩm|tài\s*liệu|ảnh|video)|"
    r"^(?:tin|bài|bài\s*viết|tin\s*bài|tin,\s*bài|sản\s*phẩm(?:\s*truyền\s*thông)?)\s*"
    r"(?:tháng|quý|tuần|số|đợt)\b|"
    r"^(?:tin\s*bài|tin,\s*bài|sản\s*phẩm\s*truyền\s*thông)\b",
    _I,
)


def clean_subject(subject: str) -> str:
    """Reply and forward prefixes (any depth), our codes and our system phrases removed."""
    title = " ".join(subject.split())
    while True:
        stripped = PREFIX.sub("", title, count=1)
        stripped = OUR_CODE.sub(" ", stripped)
        stripped = SYSTEM_PHRASES.sub("", " ".join(stripped.split()), count=1)
        stripped = " ".join(stripped.split()).strip(" -–:")
        if stripped == title:
            return title
        title = stripped


def is_letter_subject(title: str) -> bool:
    """The subject of a covering letter ("V/v gửi tin bài tháng 12/2026"), not a title."""
    return bool(LETTER_SUBJECT.search(title.strip()))
