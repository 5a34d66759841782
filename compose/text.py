"""Small text helpers of composition (pure)."""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+")


def clean_line(text: str) -> str:
    """NFC, control characters gone, runs of spaces collapsed, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    return _SPACES.sub(" ", text).strip()


def clean_text(text: str) -> str:
    """NFC, one kind of line break, each line cleaned, runs of blank lines collapsed."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x0c", "\n\n")
    lines = [clean_line(line) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def cut(text: str, limit: int) -> str:
    """At most `limit` characters: whole sentences when they fit, else up to a word
    boundary, ending with an ellipsis when anything was left out."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = _SENTENCE_END.split(text)
    kept = ""
    for sentence in sentences:
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) + 1 > limit:
            break
        kept = candidate
    if kept and len(kept) >= limit // 2:
        return kept if kept.endswith((".", "!", "?", "…")) else kept + ELLIPSIS
    head = text[: limit - 1]
    if " " in head:
        head = head[: head.rfind(" ")]
    return head.rstrip(" ,;:.-–") + ELLIPSIS


def same(a: str, b: str) -> bool:
    """Equal once case, spacing and trailing punctuation are ignored."""
    return fold(a) == fold(b) and bool(fold(a))


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).strip(" .:;,!?…")
