"""Decoding bytes and headers with declared, mislabelled or unknown charsets."""

from __future__ import annotations

import codecs
import functools
import unicodedata
from email.header import decode_header

# Aliases seen in the wild that Python does not know under these names.
_ALIASES = {
    "cp-1258": "cp1258",
    "windows1258": "cp1258",
    "x-viet-vps": "cp1258",
    "vietnamese": "cp1258",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "ks_c_5601-1987": "cp949",
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
}
# Charsets whose labels are routinely wrong for Vietnamese mail: bytes that are valid
# UTF-8 are almost certainly UTF-8, never these.
_WEAK = {"ascii", "iso8859-1", "cp1252", "iso8859-15"}
# Codecs that Vietnamese mail names most, the fallbacks, zipfile's (.docx member names) and
# the stdlib email package's (encoded words), imported with the parser rather than by the
# first message that needs one: a fetch worker would pay for each import while it parses
# the first batch of a sweep.
for _codec in ("utf-8", "cp1258", "cp1252", "latin-1", "ascii", "cp437", "raw-unicode-escape"):
    codecs.lookup(_codec)


def nfc(text: str) -> str:
    """NFC-normalise and drop NUL characters (databases reject them)."""
    return unicodedata.normalize("NFC", text.replace("\x00", ""))


# Text codecs that are no character set of mail: a label naming one is unknown.
_NOT_CHARSETS = frozenset({"idna", "punycode", "raw-unicode-escape", "unicode-escape"})


def lookup(label: str | None) -> str | None:
    """The Python codec name for a MIME charset label, or None if unknown or not a text
    encoding (rot13, zlib, base64, undefined, idna... are codecs, not charsets)."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    name = _ALIASES.get(name, name)
    if not name:
        return None
    return _text_codec(name)


@functools.lru_cache(maxsize=512)
def _text_codec(name: str) -> str | None:
    """The codec's name if bytes decode to str with it. bytes.decode() refuses codecs that
    are not text encodings (LookupError) and "undefined" refuses everything (UnicodeError);
    "replace" lets the truncated sample through the multi-byte ones (utf-16, utf-32)."""
    try:
        codec = codecs.lookup(name).name
        decoded = b"a".decode(codec, "replace")
    except (LookupError, ValueError, TypeError):  # ValueError: a NUL in the label
        return None
    return codec if isinstance(decoded, str) and codec not in _NOT_CHARSETS else None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode a body or header word; returns (NFC text, warning or None). Never raises."""
    codec = lookup(declared)
    label = _shown(declared)
    if codec is None:
        if declared and declared.strip().lower() not in _ALIASES:
            return _fallback(data, f"charset_unknown: {label}")
        if _is_utf8(data):
            return nfc(data.decode("utf-8")), None
        return _fallback(data, "charset_missing")
    if codec in _WEAK and _has_high_bytes(data) and _is_utf8(data):
        return nfc(data.decode("utf-8")), f"charset_mislabelled: {label} (decoded as utf-8)"
    try:
        return nfc(data.decode(codec)), None
    except ValueError:  # UnicodeDecodeError, or a codec's own complaint
        pass
    if codec != "utf-8" and _is_utf8(data):
        return nfc(data.decode("utf-8")), f"charset_mislabelled: {label} (decoded as utf-8)"
    if codec == "utf-8":
        return _fallback(data, f"charset_mislabelled: {label}")
    try:
        text = data.decode(codec, errors="replace")
    except ValueError:  # a codec that fails even with errors="replace" (utf-7's shifts)
        return _fallback(data, f"charset_invalid_bytes: {label}")
    return nfc(text), f"charset_invalid_bytes: {label} (replaced)"


def _shown(label: str | None) -> str:
    """A declared label as a warning shows it: printable, NFC, at most 60 characters."""
    text = "".join(ch for ch in nfc(label or "") if ch.isprintable())
    return text[:60]


def _has_high_bytes(data: bytes) -> bool:
    return any(b > 0x7F for b in data)


def _fallback(data: bytes, reason: str) -> tuple[str, str]:
    if _is_utf8(data):
        return nfc(data.decode("utf-8")), f"{reason} (decoded as utf-8)"
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return nfc(text), f"{reason} (decoded as windows-1252 with replacements)"
    return nfc(text), f"{reason} (decoded as windows-1258)"


def decode_header_value(value: object, *, max_chars: int = 20_000) -> tuple[str, list[str]]:
    """Decode an RFC 2047 header (any charset, raw 8-bit, mislabels) to one NFC line."""
    raw = str(value or "")[:max_chars]
    if _has_surrogates(raw):
        # Raw 8-bit header bytes: the parser smuggles them in as surrogates.
        text, warning = decode_bytes(raw.encode("ascii", "surrogateescape"), None)
        return nfc(" ".join(text.split())), [f"header {warning}"] if warning else []
    try:
        chunks = decode_header(raw)
    except Exception:  # the stdlib raises on some malformed encoded words
        return nfc(" ".join(raw.split())), ["header_undecodable"]
    warnings: list[str] = []
    parts: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
            continue
        text, warning = decode_bytes(chunk, charset)
        if warning:
            warnings.append(f"header {warning}")
        parts.append(text)
    return nfc(" ".join("".join(parts).split())), warnings


def _has_surrogates(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")  # one C call; it refuses any lone surrogate
    except UnicodeEncodeError:
        return any("\udc80" <= ch <= "\udcff" for ch in text)
    return False
