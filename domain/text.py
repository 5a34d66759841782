"""Vietnamese text: NFC everywhere, matching keys, sort order."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Old-style tone placement ("hoà", "thuỷ") versus new-style ("hòa", "thủy"): both are correct
# Vietnamese, so a matching key must fold them. Decomposed, the tone mark follows a base letter;
# removing tone marks entirely (while keeping the vowel shape marks) gives a placement-free key
# that still tells "hòa" from "hoa" apart through a tone signature.
_TONES = {"\u0300": "f", "\u0301": "s", "\u0303": "x", "\u0309": "r", "\u0323": "j"}
# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_TONE_RANK = {"": 0, "f": 1, "r": 2, "x": 3, "s": 4, "j": 5}


def nfc(value: str) -> str:
    """Unicode NFC; the one form every stored string takes."""
    return unicodedata.normalize("NFC", value)


def clean(value: str | None) -> str:
    """NFC, trimmed, inner whitespace collapsed; None becomes ""."""
    if value is None:
        return ""
    return _SPACES.sub(" ", nfc(value).replace("\x00", "")).strip()


def _split_tones(word: str) -> tuple[str, str]:
    base: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            tones.append(_TONES[ch])
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)), "".join(tones)


def match_key(value: str) -> str:
    """A key equal for strings a person would call the same (case, spacing, tone placement)."""
    words = clean(value).casefold().split(" ")
    parts = []
    for word in words:
        base, tones = _split_tones(word)
        parts.append(base + tones)
    return " ".join(parts)


def ascii_fold(value: str) -> str:
    """Diacritics removed (đ -> d), for slugs and loose search."""
    decomposed = unicodedata.normalize("NFD", clean(value).replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=1 << 14)
def vi_sort_key(value: str) -> tuple[tuple[int, ...], ...]:
    """Sort key following Vietnamese alphabetical order, word by word, tones last (kept for
    the names sorted again and again: the board sorts every unit on each page view)."""
    return tuple(_word_key(word) for word in clean(value).casefold().split(" "))


def vi_order_text(value: str) -> str:
    """`vi_sort_key` as a string of digits (7 per number, each shifted by one) that sorts as the
    key does, in any collation: a database can then order and page by it. Each word's numbers
    end with the smallest one, so a word that is a prefix of another sorts first."""
    return "".join(f"{n + 1:07d}" for word in vi_sort_key(value) for n in word)


@functools.lru_cache(maxsize=1 << 14)
def _word_key(word: str) -> tuple[int, ...]:
    """One word's key; unit names share most of their words ("Xã", "phường", "Sở"), so a
    list of thousands decomposes each distinct word once."""
    base, tones = _split_tones(word)
    letters = tuple(_RANK.get(ch, 100 + ord(ch)) for ch in base)
    return (*letters, -1, _TONE_RANK.get(tones[:1], 0))


def _fold_table() -> dict[int, str | None]:
    """Each precomposed Latin letter to ascii_fold's answer; combining marks dropped."""
    table: dict[int, str | None] = dict.fromkeys(range(768, 880))
    for cp in range(0xC0, 0x2000):
        char = chr(cp)
        folded = ascii_fold(char)
        if folded != char and len(folded) == 1:
            table[cp] = folded
    return table


_FOLD = _fold_table()


def search_key(value: str) -> str:
    """What search compares: no diacritics, no case ("ha noi" finds "Hà Nội"); the same as
    ascii_fold, by one translate call."""
    return value.translate(_FOLD).casefold()
