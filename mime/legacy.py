"""Legacy Vietnamese 8-bit encodings (TCVN3/ABC and VNI-Windows) to Unicode NFC.

Python has no codec for either. Text extracted from a Word file keeps the font's bytes as
Latin-1/cp1252 look-alikes ("Th¸i B×nh"); we convert only when the font name says which
encoding it is, because guessing is unreliable on short strings.
"""

from __future__ import annotations

import unicodedata

# TCVN3 (ABC) upper half as Latin-1 characters -> Unicode; from glibc's TCVN5712-1 table.
_TCVN3_SRC = (
    "¡¢£¤¥¦§¨©ª«¬\xad®¯µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüþÿ"
)
_TCVN3_DST = (
    "ĂÂÊÔƠƯĐăâêôơưđẰàảãáạẲằẳẵắẴẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịòỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹỵỐ"
)
_TCVN3 = str.maketrans(_TCVN3_SRC, _TCVN3_DST)

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
# VNI-Windows: a base letter followed by a mark byte (shown as a Latin-1 letter).
_VNI_MARKS = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRC, "ê": _BREVE,
    "á": _CIRC + _ACUTE, "à": _CIRC + _GRAVE, "å": _CIRC + _HOOK, "ã": _CIRC + _TILDE,
    "ä": _CIRC + _DOT,
    "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK, "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}  # fmt: skip
_VNI_MARKS.update({k.upper(): v for k, v in list(_VNI_MARKS.items())})
# Letters VNI encodes in one byte.
_VNI_SINGLE = {
    "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
}  # fmt: skip
_VOWELS = set("aeiouyAEIOUYơưƠƯ")


def tcvn3_to_unicode(text: str, *, capitals: bool = False) -> str:
    """Convert TCVN3 text; `capitals` for the ".VnTimeH"-style fonts (upper-case set)."""
    out = text.translate(_TCVN3)
    return unicodedata.normalize("NFC", out.upper() if capitals else out)


def vni_to_unicode(text: str) -> str:
    """Convert VNI-Windows text (base letter + mark byte) to NFC Unicode."""
    out: list[str] = []
    for ch in text:
        base = unicodedata.normalize("NFD", out[-1])[0] if out else ""
        if ch in _VNI_MARKS and base in _VOWELS:
            out[-1] = unicodedata.normalize("NFC", out[-1] + _VNI_MARKS[ch])
        else:
            out.append(_VNI_SINGLE.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(out))


def encoding_for_font(font: str | None) -> str | None:
    """'tcvn3', 'tcvn3h' or 'vni' from a font name such as '.VnTime' or 'VNI-Times'."""
    if not font:
        return None
    name = font.strip().lower()
    if name.startswith(".vn"):
        return "tcvn3h" if name.endswith("h") else "tcvn3"
    if name.startswith("vni"):
        return "vni"
    return None


def convert(text: str, encoding: str) -> str:
    """Convert `text` from the named legacy encoding ('tcvn3', 'tcvn3h', 'vni')."""
    if encoding == "vni":
        return vni_to_unicode(text)
    return tcvn3_to_unicode(text, capitals=encoding == "tcvn3h")
