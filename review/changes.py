"""What changed between two versions of a submission, as a few short card lines (pure)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection

from review import texts

MAX_LINES = 6
LINE_CHARS = 90


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LINE_CHARS else flat[: LINE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def change_lines(
    *,
    old_title: str,
    new_title: str,
    old_text: str,
    new_text: str,
    old_images: Collection[str],
    new_images: Collection[str],
) -> list[str]:
    """Title change, up to six paragraphs removed (−) or added (+), images added/removed."""
    lines: list[str] = []
    if " ".join(old_title.split()) != " ".join(new_title.split()):
        lines.append(texts.CARD_CHANGE_TITLE.format(old=_short(old_title), new=_short(new_title)))
    diff = [
        d
        for d in difflib.ndiff(_paragraphs(old_text), _paragraphs(new_text))
        if d[:1] in "-+" and d[1:2] == " "
    ]
    shown = diff[:MAX_LINES]
    lines += [
        texts.CARD_CHANGE_LINE.format(sign="−" if d[0] == "-" else "+", text=_short(d[2:]))
        for d in shown
    ]
    if len(diff) > len(shown):
        lines.append(texts.CARD_CHANGE_MORE.format(n=len(diff) - len(shown)))
    added = len(set(new_images) - set(old_images))
    removed = len(set(old_images) - set(new_images))
    if added or removed:
        lines.append(texts.CARD_CHANGE_IMAGES.format(added=added, removed=removed))
    return lines or [texts.CARD_NO_CHANGE]
