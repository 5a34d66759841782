"""Encoders Unicode -> TCVN3 / VNI look-alike text, used only to build the golden corpus."""

from __future__ import annotations

import unicodedata

from mime import legacy

_TCVN3_INVERSE = {dst: src for src, dst in zip(legacy._TCVN3_SRC, legacy._TCVN3_DST, strict=True)}
_MARK_INVERSE = {v: k for k, v in legacy._VNI_MARKS.items() if k.islower()}
_SINGLE_INVERSE = {v: k for k, v in legacy._VNI_SINGLE.items()}
_TONES = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}


def to_tcvn3(text: str) -> str:
    """Encode (lower-case toned letters, and ĂÂÊÔƠƯĐ) as .VnTime text."""
    return "".join(_TCVN3_INVERSE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def to_tcvn3h(text: str) -> str:
    """Encode capitals for a .VnTimeH font (lower-case codes stand for capitals)."""
    return to_tcvn3(text.lower())


def to_vni(text: str) -> str:
    """Encode as VNI-Windows text (base letter + mark byte)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _SINGLE_INVERSE:
            out.append(_SINGLE_INVERSE[ch])
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if not marks:
            out.append(ch)
            continue
        if "\u031b" in marks:  # horn: ơ/ư are single VNI letters
            base = unicodedata.normalize("NFC", base + "\u031b")
            marks = marks.replace("\u031b", "")
            base = _SINGLE_INVERSE.get(base, base)
        modifier = "".join(m for m in marks if m not in _TONES)
        tone = "".join(m for m in marks if m in _TONES)
        mark = _MARK_INVERSE[modifier + tone] if modifier + tone else ""
        out.append(base + (mark.upper() if ch.isupper() else mark))
    return "".join(out)
