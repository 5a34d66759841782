"""Titles from subjects: reply/forward prefixes removed, nested ones too."""

from __future__ import annotations

import re

_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?"
    r"(?:re|aw|sv|fw|fwd|tr|tl|tlời|tl\.|trả lời|chuyển tiếp|chuyển|ct|fyi)"
    r"(?:\s*\[\d+\]|\s*\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)


def clean_subject(subject: str) -> str:
    """Strip Re:/RE:/Fwd:/FW:/TL:/Trả lời:/Chuyển tiếp: (any depth) and tidy spaces."""
    title = " ".join(subject.split())
    while True:
        stripped = _PREFIX.sub("", title, count=1)
        if stripped == title:
            return title
        title = stripped


_FORWARD_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:fw|fwd|tr|ct|chuyển tiếp|chuyển)\s*[:：]", re.IGNORECASE
)


def is_forward_subject(subject: str) -> bool:
    """True when the outermost prefix says the message is a forward."""
    return bool(_FORWARD_PREFIX.match(subject))
