"""Walking a MIME tree: body candidates, attachments, TNEF and forwarded messages."""

from __future__ import annotations

import binascii
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value

from mime import uuencode
from mime.b64 import decode_base64
from mime.bounds import MAX_PARAMETER_HEADER_CHARS
from mime.charsets import decode_bytes, decode_header_value, nfc
from mime.htmltext import html_to_text
from mime.model import ParsedAttachment, ParseLimits
from mime.tnef import unpack_tnef

_TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
_MAGIC = [
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"%PDF", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
]
_MAX_CONTENT_TYPE = 255  # RFC 6838: a type and a subtype of at most 127 characters each
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass
class Walk:
    """State shared while walking one message (and the messages forwarded inside it)."""

    limits: ParseLimits
    attachments: list[ParsedAttachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parts_seen: int = 0
    text_charset: str | None = None  # the first text part's declared charset


@dataclass
class Body:
    """The text parts of one message level, in order: ("plain" or "html", text)."""

    parts: list[tuple[str, str]] = field(default_factory=list)
    forwards: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Every text part in order (HTML converted); newlines normalised to LF. Inside a
        multipart/alternative only one version was kept (see _alternative)."""
        texts = [
            text.strip("\r\n") if kind == "plain" else html_to_text(text)
            for kind, text in self.parts
            if text.strip()
        ]
        text = "\n\n".join(t for t in texts if t.strip())
        return text.replace("\r\n", "\n").replace("\r", "\n")


def walk(part: Message, walker: Walk, body: Body, depth: int) -> None:
    """Collect `part` and its children into `body` and `walker`."""
    walker.parts_seen += 1
    if walker.parts_seen > walker.limits.max_parts or depth > walker.limits.max_depth:
        if "too_many_parts" not in walker.warnings:
            walker.warnings.append("too_many_parts")
        return
    ctype = part.get_content_type()
    if ctype in ("message/rfc822", "message/global"):
        _forwarded(part, walker, body, depth)  # before is_multipart(): compat32 says True here
    elif ctype.startswith("message/"):
        _attachment(part, ctype, walker)  # delivery reports and the like: kept, not read
    elif ctype == "multipart/alternative" and part.is_multipart():
        _alternative(part, walker, body, depth)
    elif part.is_multipart():
        children = part.get_payload()
        for child in children if isinstance(children, list) else []:
            if isinstance(child, Message):
                walk(child, walker, body, depth + 1)
    elif ctype.startswith("multipart/"):
        # No boundary parameter, or the boundary never found in the body: read as text.
        _warn(walker, "multipart_unsplit")
        _body_part(part, "text/plain", walker, body)
    elif _is_uuencoded(part):
        _uuencoded(part, walker)
    elif _is_body(part, ctype):
        _body_part(part, ctype, walker, body)
    elif ctype in _TNEF_TYPES or (_filename(part, walker) or "").lower() == "winmail.dat":
        _tnef(part, walker, body)
    else:
        _attachment(part, ctype, walker)


def _alternative(part: Message, walker: Walk, body: Body, depth: int) -> None:
    """One version of a multipart/alternative: its plain text if it has any, else the
    rest (HTML). Text parts that are not alternatives (multipart/mixed) all stay."""
    versions = Body()
    children = part.get_payload()
    for child in children if isinstance(children, list) else []:
        if isinstance(child, Message):
            walk(child, walker, versions, depth + 1)
    plain = [p for p in versions.parts if p[0] == "plain" and p[1].strip()]
    body.parts.extend(plain or versions.parts)
    body.forwards.extend(versions.forwards)


def _is_uuencoded(part: Message) -> bool:
    return _text_header(part, "Content-Transfer-Encoding").strip().lower() in uuencode.ENCODINGS


def _uuencoded(part: Message, walker: Walk) -> None:
    """A part sent with a uuencode transfer encoding: the file it holds."""
    payload = _raw_payload(part)
    found = uuencode.decode_part(payload) if isinstance(payload, str) else None
    if found is None:
        _warn(walker, "part_defects")
        _attachment(part, part.get_content_type(), walker)
        return
    name = _filename(part, walker) or safe_filename(found.name) or _default_name("", 1)
    walker.attachments.append(make_attachment(name, guess_type(name, found.data), found.data))


def _uuencoded_blocks(text: str, walker: Walk) -> str:
    """Plain text without its uuencoded begin ... end blocks, each one an attachment."""
    room = max(0, walker.limits.max_parts - len(walker.attachments))
    text, files = uuencode.split_blocks(text, max_files=room)
    for found in files:
        name = safe_filename(found.name) or _default_name("", len(walker.attachments) + 1)
        walker.attachments.append(make_attachment(name, guess_type(name, found.data), found.data))
    return text


def _is_body(part: Message, ctype: str) -> bool:
    if ctype not in ("text/plain", "text/html"):
        return False
    disposition = (_text_header(part, "Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition != "attachment" and not _raw_filename(part)


def _warn(walker: Walk, warning: str) -> None:
    if warning not in walker.warnings:
        walker.warnings.append(warning)


def content_charset(part: Message) -> str | None:
    """The charset parameter (an RFC 2231 one decoded), or None when there is none or it
    cannot be read. get_content_charset() raises TypeError on `charset*=utf-8''utf-8`."""
    try:
        value = part.get_param("charset")
        if isinstance(value, tuple):
            value = collapse_rfc2231_value(value)
    except Exception:  # a malformed RFC 2231 value
        return None
    return str(value).strip().lower() or None if value else None


def _raw_filename(part: Message) -> str | None:
    try:
        return part.get_filename()
    except Exception:  # malformed RFC 2231 parameters, a codec that is not text
        return None


def _body_part(part: Message, ctype: str, walker: Walk, body: Body) -> None:
    payload = _payload(part, walker)
    charset = content_charset(part)
    walker.text_charset = walker.text_charset or charset
    text, warning = decode_bytes(payload, charset)
    if warning:
        walker.warnings.append(warning)
    if ctype == "text/plain":
        text = _uuencoded_blocks(text, walker)
    body.parts.append(("plain" if ctype == "text/plain" else "html", text))


def _payload(part: Message, walker: Walk) -> bytes:
    encoding = _text_header(part, "Content-Transfer-Encoding").strip().lower()
    if encoding == "base64":
        try:  # one C call; the stdlib splits and re-joins the lines first
            return _base64(part)
        except (binascii.Error, ValueError):
            pass  # damaged base64: let the stdlib salvage what it can
    raw = _raw_payload(part)
    try:
        data = part.get_payload(decode=True)
    except Exception:  # compat32 is lenient, but keep going whatever happens
        data = None
    if part.defects and "part_defects" not in walker.warnings:
        walker.warnings.append("part_defects")
    if isinstance(data, bytes):
        return data
    if isinstance(raw, list):
        return b"\n".join(m.as_bytes() for m in raw if isinstance(m, Message))
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _base64(part: Message) -> bytes:
    raw = _raw_payload(part)
    if not isinstance(raw, str):
        raise ValueError("not a leaf")
    return decode_base64(raw.encode("ascii", "surrogateescape"))


def _raw_payload(part: Message) -> object:
    """The payload as stored (str or list). compat32 re-decodes 8-bit text with the charset
    parameter, which raises when that parameter holds a NUL (ValueError), is an RFC 2231
    value (TypeError) or names a codec that is not text (LookupError): then None, and the
    caller reads the bytes with get_payload(decode=True)."""
    try:
        return part.get_payload()
    except (ValueError, TypeError, LookupError):
        return None


def _inner(part: Message) -> Message | None:
    payload = _raw_payload(part)
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    return None


def _forwarded(part: Message, walker: Walk, body: Body, depth: int) -> None:
    inner = _inner(part)
    if inner is None:
        _attachment(part, "message/rfc822", walker)
        return
    inner_body = Body()
    walk(inner, walker, inner_body, depth + 1)
    header = forward_header(inner, walker)
    body.forwards.append((header + "\n\n" + inner_body.text()).strip())
    body.forwards.extend(inner_body.forwards)


def forward_header(msg: Message, walker: Walk) -> str:
    """The block a mail client shows above a forwarded message."""
    lines = ["---------- Forwarded message ----------"]
    for name in ("From", "Date", "Subject", "To"):
        raw = raw_header(msg, name)
        if raw:
            value, _ = decode_header_value(
                raw, max_chars=walker.limits.max_header_chars, charset=content_charset(msg)
            )
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def _text_header(part: Message, name: str) -> str:
    # compat32 hands out Header objects (no str methods) for headers with raw 8-bit bytes.
    return str(raw_header(part, name) or "")


def raw_headers(msg: Message, name: str) -> list[str]:
    """Every raw value of a header that may appear more than once (From)."""
    wanted = name.lower()
    return [str(value) for key, value in msg.raw_items() if key.lower() == wanted]


def raw_header(msg: Message, name: str) -> str | None:
    """A header's raw value: raw 8-bit bytes stay recoverable (compat32 would mangle them)."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def _tnef(part: Message, walker: Walk, body: Body) -> None:
    data = _payload(part, walker)
    content = unpack_tnef(data)
    if content is None:
        walker.warnings.append("winmail_unreadable")
        _attachment(part, "application/ms-tnef", walker)
        return
    walker.warnings.append("winmail_unpacked")
    if content.body and content.body.strip():
        body.parts.append(("plain", nfc(content.body)))
    elif content.html:
        body.parts.append(("html", content.html))
    for name, payload in content.files:
        walker.attachments.append(make_attachment(name, guess_type(name, payload), payload))


def _attachment(part: Message, ctype: str, walker: Walk) -> None:
    data = _payload(part, walker)
    name = _filename(part, walker) or _default_name(ctype, len(walker.attachments) + 1)
    if len(ctype) > _MAX_CONTENT_TYPE:
        _warn(walker, "content_type_invalid")
        ctype = "application/octet-stream"
    if ctype == "application/octet-stream":
        ctype = guess_type(name, data)
    disposition = (_text_header(part, "Content-Disposition") or "").split(";")[0].strip().lower()
    cid = (_text_header(part, "Content-ID") or "").strip().strip("<>") or None
    inline = disposition == "inline" or (cid is not None and disposition != "attachment")
    walker.attachments.append(make_attachment(name, ctype, data, inline=inline, content_id=cid))


def _filename(part: Message, walker: Walk) -> str | None:
    raw = _raw_filename(part)
    if not raw:
        return None
    if "\ufffd" in raw:  # raw 8-bit bytes, which get_filename() replaced: read them here
        raw = _8bit_filename(part) or raw
    name, warnings = decode_header_value(raw, max_chars=1000, collapse=False)
    walker.warnings.extend(w for w in warnings if w not in walker.warnings)
    return safe_filename(name)


def _8bit_filename(part: Message) -> str | None:
    """The filename (or name) parameter of a header holding raw 8-bit bytes, decoded with
    the part's charset, then UTF-8, then the fallback, before the parameter is parsed."""
    charset = content_charset(part)
    for header, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        raw = raw_header(part, header)
        if not raw or raw.isascii():
            continue
        text, _ = decode_header_value(
            raw, max_chars=MAX_PARAMETER_HEADER_CHARS, charset=charset, collapse=False
        )
        parsed = Message()
        parsed[header] = text
        try:
            value = parsed.get_param(param, header=header.lower())
            if isinstance(value, tuple):
                value = collapse_rfc2231_value(value)
        except Exception:  # malformed parameters
            continue
        if value:
            return str(value)
    return None


def safe_filename(name: str) -> str | None:
    """A file name without path separators or control characters (NFC)."""
    cleaned = _UNSAFE_NAME.sub("_", nfc(name)).strip(" ._")
    return cleaned[:200] or None


def _default_name(ctype: str, index: int) -> str:
    extension = mimetypes.guess_extension(ctype) or ".bin"
    return f"attachment-{index}{extension}"


def guess_type(name: str, data: bytes) -> str:
    """Content type from the file name, else from the first bytes."""
    guessed, _ = mimetypes.guess_type(name, strict=False)
    if guessed:
        return guessed
    for magic, ctype in _MAGIC:
        if data.startswith(magic):
            return ctype
    return "application/octet-stream"


def make_attachment(
    name: str, ctype: str, data: bytes, *, inline: bool = False, content_id: str | None = None
) -> ParsedAttachment:
    """An attachment record with size and SHA-256 of the decoded bytes."""
    return ParsedAttachment(
        filename=name,
        content_type=ctype.lower(),
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        inline=inline,
        content_id=content_id,
    )
