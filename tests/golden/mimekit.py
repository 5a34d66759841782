"""Small helpers that write MIME the way specific mail clients do (corpus builder only)."""

from __future__ import annotations

import base64
import io
import quopri
import struct
import unicodedata
from email.header import Header

_TONES = {"\u0301": 0xEC, "\u0300": 0xCC, "\u0309": 0xD2, "\u0303": 0xDE, "\u0323": 0xF2}


def cp1258(text: str) -> bytes:
    """Encode like Outlook's "Vietnamese (Windows)": base letters plus combining tone bytes."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = [m for m in decomposed if m in _TONES]
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
        out += base.encode("cp1258") + bytes(_TONES[t] for t in tones)
    return bytes(out)


def qp(data: bytes) -> str:
    """Quoted-printable body text."""
    return quopri.encodestring(data).decode("ascii")


def b64(data: bytes, width: int = 76) -> str:
    """Base64 wrapped at `width` characters."""
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def enc_b(text: str, charset: str = "utf-8") -> str:
    """An RFC 2047 B-encoded header value (windows-1258 the way Outlook writes it)."""
    if charset == "windows-1258":
        return "=?windows-1258?B?" + base64.b64encode(cp1258(text)).decode() + "?="
    return Header(text, charset).encode(maxlinelen=76)


def enc_q(text: str) -> str:
    """An RFC 2047 Q-encoded word in UTF-8."""
    data = text.encode("utf-8")
    chars = "".join(
        chr(b) if chr(b).isalnum() and b < 128 else ("_" if b == 32 else f"={b:02X}") for b in data
    )
    return f"=?utf-8?Q?{chars}?="


def rfc2231(name: str) -> str:
    """filename*=utf-8''... parameter."""
    from urllib.parse import quote

    return "filename*=utf-8''" + quote(name.encode("utf-8"), safe="")


def png(seed: int = 1, size: int = 2000) -> bytes:
    """A PNG signature followed by deterministic filler (parsers only look at bytes)."""
    return b"\x89PNG\r\n\x1a\n" + bytes((seed * 31 + i * 7) % 256 for i in range(size))


def jpeg(seed: int = 1, size: int = 40_000) -> bytes:
    """JPEG-looking deterministic bytes."""
    return b"\xff\xd8\xff\xe0" + bytes((seed * 17 + i * 13) % 256 for i in range(size))


def pdf(text: str = "tai lieu") -> bytes:
    """A tiny PDF-looking file."""
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def mp4(size: int = 300_000) -> bytes:
    """MP4-looking deterministic bytes."""
    return b"\x00\x00\x00\x18ftypmp42" + bytes((i * 5) % 256 for i in range(size))


def docx(paragraphs: list[tuple[str, str | None]]) -> bytes:
    """A .docx whose paragraphs are (text, font name or None)."""
    import docx as python_docx

    document = python_docx.Document()
    for text, font in paragraphs:
        run = document.add_paragraph().add_run(text)
        if font:
            run.font.name = font
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def tnef(*, body: str, files: list[tuple[str, bytes]]) -> bytes:
    """A minimal winmail.dat: a plain body plus attachments (TNEF attribute stream)."""

    def attr(level: int, name: int, kind: int, data: bytes) -> bytes:
        checksum = sum(data) & 0xFFFF
        return (
            struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", checksum)
        )

    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += attr(1, 0x9006, 0x0009, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += attr(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # attOemCodepage
    out += attr(1, 0x800C, 0x0002, body.encode("utf-8"))  # attBody
    for name, data in files:
        out += attr(2, 0x9002, 0x0006, b"\x01\x00" + b"\x00" * 12)  # attAttachRendData
        out += attr(2, 0x8010, 0x0001, name.encode("utf-8") + b"\x00")  # attAttachTitle
        out += attr(2, 0x800F, 0x0006, data)  # attAttachData
    return out
