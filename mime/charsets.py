"""Decoding bytes and headers with declared, mislabelled or unknown charsets."""

from __future__ import annotations

import codecs
import functools
import re
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
    # Labels decoded by the superset their senders' software really writes (WHATWG
    # Encoding Standard): the narrow codec refuses the extra characters.
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "big5": "big5hkscs",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "windows-874": "cp874",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
}
# Charsets whose labels are routinely wrong for Vietnamese mail: bytes that are valid
# UTF-8 are almost certainly UTF-8, never these.
_WEAK = {"ascii", "iso8859-1", "cp1252", "iso8859-15"}
# Codecs that Vietnamese mail names most, the fallbacks, zipfile's (.docx member names) and
# the stdlib email package's (encoded words), imported with the parser rather than by the
# first message that needs one: a parse worker pays for them when it starts, not while it
# parses a sweep's first mail.
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
    if _is_iso2022jp(data, codec):
        return _iso2022jp(data)
    if codec is None:
        if declared and declared.strip().lower() not in _ALIASES:
            return _fallback(data, f"charset_unknown: {label}")
        if _is_utf8(data):
            return nfc(data.decode("utf-8")), None
        return _fallback(data, "charset_missing")
    if codec in _WEAK and _has_high_bytes(data) and _is_utf8(data):
        return nfc(data.decode("utf-8")), f"charset_mislabelled: {label} (decoded as utf-8)"
    if codec == "ascii" and _has_high_bytes(data):  # 8-bit data says "us-ascii": no label
        return _fallback(data, f"charset_mislabelled: {label}")
    try:
        return nfc(data.decode(codec)), None
    except ValueError:  # UnicodeDecodeError, or a codec's own complaint
        pass
    if codec != "utf-8" and _is_utf8(data):
        return nfc(data.decode("utf-8")), f"charset_mislabelled: {label} (decoded as utf-8)"
    if codec == "utf-8":
        if _mostly_utf8(data):  # a few stray bytes: U+FFFD there, the rest stays UTF-8
            text = data.decode("utf-8", "replace")
            return nfc(text), f"charset_invalid_bytes: {label} (replaced)"
        return _fallback(data, f"charset_mislabelled: {label}")
    try:
        text = data.decode(codec, errors="replace")
    except ValueError:  # a codec that fails even with errors="replace" (utf-7's shifts)
        return _fallback(data, f"charset_invalid_bytes: {label}")
    return nfc(text), f"charset_invalid_bytes: {label} (replaced)"


_ISO2022JP_CODECS = frozenset({"iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext"})


def _is_iso2022jp(data: bytes, codec: str | None) -> bool:
    """ISO-2022-JP, labelled so or 7-bit data that switches to JIS X 0208 (`ESC $ B`)
    without a label (or with one that any 7-bit data satisfies)."""
    if codec in _ISO2022JP_CODECS:
        return True
    return (
        codec in (None, "ascii", "utf-8")
        and (b"\x1b$B" in data or b"\x1b$@" in data)
        and data.isascii()
    )


def _iso2022jp(data: bytes) -> tuple[str, str | None]:
    """ISO-2022-JP; the NEC extension characters that Japanese mail programs write in the
    JIS X 0208 set (row 13: ①, ㈱, №) are in JIS X 0213 plane 1 at the same places, so a
    text the plain codec refuses is read as ISO-2022-JP-2004 with plane 1 selected."""
    try:
        return nfc(data.decode("iso2022_jp")), None
    except ValueError:
        pass
    widened = data.replace(b"\x1b$B", b"\x1b$(Q").replace(b"\x1b$@", b"\x1b$(Q")
    try:
        return nfc(widened.decode("iso2022_jp_2004")), None
    except ValueError:
        text = widened.decode("iso2022_jp_2004", "replace")
    return nfc(text), "charset_invalid_bytes: iso-2022-jp (replaced)"


def _mostly_utf8(data: bytes) -> bool:
    """Bytes that are UTF-8 but for a few stray bytes: at least four well-formed non-ASCII
    characters for each bad byte sequence (legacy code pages rarely form any)."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad
    return bad > 0 and good >= 4 * bad


@functools.lru_cache(maxsize=256)  # called for every part; labels repeat
def _shown(label: str | None) -> str:
    """A declared label as a warning shows it: printable, NFC, at most 60 characters."""
    text = "".join(ch for ch in nfc(label or "") if ch.isprintable())
    return text[:60]


def _has_high_bytes(data: bytes) -> bool:
    return any(b > 0x7F for b in data)


def _fallback(data: bytes, reason: str) -> tuple[str, str]:
    if _is_utf8(data):
        return nfc(data.decode("utf-8")), f"{reason} (decoded as utf-8)"
    if _mostly_utf8(data):
        text = data.decode("utf-8", "replace")
        return nfc(text), f"{reason} (decoded as utf-8 with replacements)"
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return nfc(text), f"{reason} (decoded as windows-1252 with replacements)"
    return nfc(text), f"{reason} (decoded as windows-1258)"


_FOLD = re.compile(r"\r?\n(?=[ \t])")


def decode_header_value(
    value: object, *, max_chars: int = 20_000, charset: str | None = None, collapse: bool = True
) -> tuple[str, list[str]]:
    """Decode an RFC 2047 header (any charset, raw 8-bit, mislabels) to one NFC line.

    The value is unfolded first (RFC 5322: the line break goes, the whitespace after it
    stays), so a fold between an encoded word and a plain one keeps its space. Raw 8-bit
    bytes are read with `charset` (the message's or part's declared one), then UTF-8, then
    the fallback. Runs of whitespace become one space unless `collapse` is False (file
    names keep theirs)."""
    raw = str(value or "")[:max_chars]
    if "\n" in raw:
        raw = _FOLD.sub("", raw)
    warnings: list[str] = []
    raw_8bit = _has_surrogates(raw)
    if raw_8bit:
        # Raw 8-bit header bytes: the parser smuggles them in as surrogates.
        raw, warning = _decode_raw_header(raw.encode("ascii", "surrogateescape"), charset)
        if warning:
            warnings.append(f"header {warning}")
    try:
        chunks = decode_header(raw)
    except Exception:  # the stdlib raises on some malformed encoded words
        return _tidy(raw, collapse=collapse), [*warnings, "header_undecodable"]
    parts: list[str] = []
    for chunk, chunk_charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
            continue
        if chunk_charset is None and raw_8bit:  # decode_header's own encoding of plain text
            parts.append(chunk.decode("raw-unicode-escape"))
            continue
        text, warning = decode_bytes(chunk, chunk_charset)
        if warning:
            warnings.append(f"header {warning}")
        parts.append(text)
    return _tidy("".join(parts), collapse=collapse), warnings


def _tidy(text: str, *, collapse: bool) -> str:
    return nfc(" ".join(text.split()) if collapse else text.replace("\r", "").replace("\n", ""))


def _decode_raw_header(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Raw 8-bit header bytes: the declared charset if they are valid in it (UTF-8 first
    when that charset is one whose labels are routinely wrong), then UTF-8, then the
    fallback."""
    codec = lookup(charset)
    if codec is not None and not (codec in _WEAK and _is_utf8(data)):
        try:
            return data.decode(codec), None
        except ValueError:
            pass
    text, warning = decode_bytes(data, None)
    return text, warning


def _has_surrogates(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")  # one C call; it refuses any lone surrogate
    except UnicodeEncodeError:
        return any("\udc80" <= ch <= "\udcff" for ch in text)
    return False
