"""The pure MIME normaliser: raw message bytes to a `ParsedMessage`. Never raises."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from mime.bounds import bounded_policy
from mime.charsets import decode_header_value, nfc
from mime.docxtext import extract_docx_text
from mime.headblock import skip_stray_lines
from mime.kinds import detect_kind
from mime.model import ParsedAttachment, ParsedMessage, ParseLimits, Sender
from mime.parts import Body, Walk, content_charset, raw_header, raw_headers, walk
from mime.quotes import strip_quotes
from mime.subjects import clean_subject, is_forward_subject

_DEFAULT_LIMITS = ParseLimits()
_MSGID = re.compile(r"<([^<>\s]+)>")
_COVER_NOTE_CHARS = 600  # a body this short next to a .docx is a cover note
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def parse_message(raw: bytes, *, limits: ParseLimits = _DEFAULT_LIMITS) -> ParsedMessage:
    """Normalise one message; anything it cannot make sense of becomes a warning."""
    try:
        return _parse(raw, limits)
    except Exception as exc:  # the contract is "never raises": record and return
        return ParsedMessage.empty(f"unparseable: {type(exc).__name__}")


def _parse(raw: bytes, limits: ParseLimits) -> ParsedMessage:
    # compat32 is several times faster than policy.default; we decode headers ourselves.
    walker = Walk(limits=limits)
    raw, stray_lines = skip_stray_lines(raw)
    if stray_lines:
        walker.warnings.append(f"header_line_skipped: {stray_lines}")
    truncated: list[str] = []
    try:
        msg = BytesParser(policy=bounded_policy(truncated)).parsebytes(raw)
    except RecursionError:
        # The stdlib's parser recurses once per nested multipart: a message nested hundreds
        # deep exhausts the stack. Its headers are still read; its body is kept as text.
        walker.warnings.append("mime_too_deep")
        truncated.clear()
        parser = BytesParser(policy=bounded_policy(truncated))
        msg = parser.parsebytes(raw, headersonly=True)
    walker.warnings.extend(f"header_truncated: {name}" for name in truncated)
    body = Body()
    walk(msg, walker, body, 0)
    if msg.defects:
        walker.warnings.append("message_defects")
    subject = _header(msg, "Subject", walker)
    text = strip_quotes(body.text(), forwarded=is_forward_subject(subject))
    if body.forwards:
        text = "\n\n".join([text, *body.forwards]).strip()
    attachments = tuple(walker.attachments)
    text, cover_note, legacy = _docx_text(text, attachments, walker.warnings)
    text = _limit(text, limits, walker.warnings)
    title = clean_subject(subject) or _title_from_text(text, walker.warnings)
    if not text and not attachments:
        walker.warnings.append("empty_message")
    sender = _sender(msg, walker)
    date = _date(raw_header(msg, "Date"), walker.warnings)
    return ParsedMessage(
        message_id=_message_id(msg.get("Message-ID")),
        sender=sender,
        title=title,
        text=text,
        kind=detect_kind(title=title, text=text, attachments=attachments),
        attachments=attachments,
        warnings=tuple(dict.fromkeys(walker.warnings)),
        subject=subject,
        date=date,
        in_reply_to=_message_id(msg.get("In-Reply-To")),
        references=tuple(nfc(m) for m in _MSGID.findall(str(msg.get("References") or ""))),
        cover_note=cover_note,
        automated=is_automated(msg),
        legacy_encoding=legacy,
    )


def _header(msg: Message, name: str, walker: Walk) -> str:
    raw = raw_header(msg, name) or ""
    if len(raw) > walker.limits.max_header_chars:
        walker.warnings.append(f"header_truncated: {name}")
    value, warnings = decode_header_value(
        raw,
        max_chars=walker.limits.max_header_chars,
        charset=None if raw.isascii() else _message_charset(msg, walker),
    )
    walker.warnings.extend(warnings)
    return value


def _message_charset(msg: Message, walker: Walk) -> str | None:
    """The charset that raw 8-bit header bytes are read with first: the message's own, else
    the one its first text part declares (a client writes both with the same)."""
    return content_charset(msg) or walker.text_charset


def _message_id(value: object) -> str | None:
    text = str(value or "").strip()
    found = _MSGID.search(text)
    ident = found.group(1) if found else text.strip("<> ")
    return nfc(ident)[:500] or None if ident and " " not in ident else None


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_WORD = r"[^\"<>()\[\],;:@\\\s]+"
_PLAIN_FROM = re.compile(
    rf'[ \t]*(?:(?:"(?P<quoted>[^"\\\r\n]*)"|(?P<phrase>{_WORD}(?:[ \t]+{_WORD})*))?'
    rf"[ \t]*<(?P<angle>{_ADDRESS})>|(?P<bare>{_ADDRESS}))[ \t]*"
)


def first_address(decoded: str) -> tuple[str, str]:
    """getaddresses([decoded])[0] (or two empty strings): the usual forms, `Tên <a@b.vn>`,
    `"Tên" <a@b.vn>` and `a@b.vn`, are read with one regular expression (the stdlib's
    address tokenizer was ~10% of parsing a small mail); anything else goes to the stdlib.
    A property test checks both agree."""
    plain = _PLAIN_FROM.fullmatch(decoded)
    if plain is None:
        pairs = getaddresses([decoded])
        return pairs[0] if pairs else ("", "")
    if plain["bare"] is not None:
        return "", plain["bare"]
    if plain["quoted"] is not None:
        return plain["quoted"], plain["angle"]
    return " ".join((plain["phrase"] or "").split()), plain["angle"]


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_FALLBACK_SENDERS = ("Sender", "Reply-To")


def _sender(msg: Message, walker: Walk) -> Sender:
    """The first valid mailbox of the From headers (several headers, or a list whose first
    entries are empty or garbage); without one, Sender then Reply-To, with a warning."""
    name = None
    for header in ("From", *_FALLBACK_SENDERS):
        for raw in raw_headers(msg, header):
            mailboxes = _mailboxes(raw[: walker.limits.max_header_chars])
            for display, address in mailboxes:
                charset = None if display.isascii() else _message_charset(msg, walker)
                decoded = _display_name(display, charset, walker)
                name = name or decoded
                valid = _address(address)
                if valid:
                    if header != "From":
                        walker.warnings.append(f"sender_fallback: {header}")
                    return Sender(address=valid, name=decoded)
    walker.warnings.append("sender_missing")
    return Sender(address=None, name=name)


def _mailboxes(raw: str) -> list[tuple[str, str]]:
    """(raw display name, address) pairs of one address-list header, read before any
    decoding: a comma or bracket inside an encoded word cannot split a mailbox."""
    unfolded = raw.replace("\r", "").replace("\n", "") if "\n" in raw else raw
    words: list[str] = []

    def hide(match: re.Match[str]) -> str:
        words.append(match.group(0))
        return f"ENCODEDWORD{len(words) - 1}X"

    hidden = _ENCODED_WORD.sub(hide, unfolded) if "=?" in unfolded else unfolded
    try:
        pairs = [first_address(hidden)] if _PLAIN_FROM.fullmatch(hidden) else None
        if pairs is None:
            pairs = getaddresses([hidden])
    except RecursionError:  # the stdlib's address parser recurses on nested "(" and "<"
        return []
    if not words:
        return pairs
    restore = re.compile(r"ENCODEDWORD(\d+)X")
    return [
        (restore.sub(lambda m: words[int(m.group(1))], n), restore.sub("", a)) for n, a in pairs
    ]


def _display_name(raw: str, charset: str | None, walker: Walk) -> str | None:
    if raw.isascii() and "=?" not in raw:  # the usual plain name: nothing to decode
        return nfc(" ".join(raw.split()).strip('"').strip()) or None
    value, warnings = decode_header_value(
        raw, max_chars=walker.limits.max_header_chars, charset=charset
    )
    walker.warnings.extend(warnings)
    return nfc(value.strip().strip('"').strip()) or None


def _address(raw: str) -> str | None:
    """A mailbox's address, lower case and NFC, or None unless it is local@domain."""
    address = raw.strip()
    if not address.isascii():  # raw 8-bit bytes in an address (EAI or a broken client)
        address, _ = decode_header_value(address)
    address = nfc(address).lower()
    local, at, domain = address.rpartition("@")
    if not (at and local and domain) or any(ch in address for ch in ' \t<>[](),;:"'):
        return None
    return address


def _date(value: object, warnings: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        warnings.append("date_unparseable")
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _docx_text(
    text: str, attachments: tuple[ParsedAttachment, ...], warnings: list[str]
) -> tuple[str, str | None, str | None]:
    """Use a Word attachment's text as the article when the body is only a cover note."""
    if len(text) > _COVER_NOTE_CHARS:
        return text, None, None
    for attachment in attachments:
        if attachment.content_type != _DOCX_TYPE and not attachment.filename.lower().endswith(
            ".docx"
        ):
            continue
        extracted = extract_docx_text(attachment.data)
        if extracted is None or len(extracted.text) <= len(text):
            continue
        warnings.append(f"text_from_docx: {attachment.filename}")
        if extracted.truncated:
            warnings.append(f"docx_truncated: {attachment.filename}")
        if extracted.legacy_encoding:
            warnings.append(f"legacy_encoding_converted: {extracted.legacy_encoding}")
        return extracted.text, text or None, extracted.legacy_encoding
    return text, None, None


def _limit(text: str, limits: ParseLimits, warnings: list[str]) -> str:
    if len(text) <= limits.max_text_chars:
        return text
    warnings.append("text_truncated")
    return text[: limits.max_text_chars]


def _title_from_text(text: str, warnings: list[str]) -> str:
    warnings.append("subject_missing")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:120]


def is_automated(msg: Message) -> bool:
    """Auto-replies, bounces and list mail: never answer these (mail loops)."""
    auto = str(msg.get("Auto-Submitted") or "").strip().lower()
    precedence = str(msg.get("Precedence") or "").strip().lower()
    return_path = msg.get("Return-Path")
    sender = str(msg.get("From") or "").lower()
    return (
        (auto not in ("", "no"))
        or precedence in ("bulk", "list", "junk", "auto_reply")
        or msg.get("List-Id") is not None
        or msg.get("List-Unsubscribe") is not None
        or (return_path is not None and str(return_path).strip() in ("<>", ""))
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or msg.get_content_type() == "multipart/report"
        or "mailer-daemon@" in sender
        or "postmaster@" in sender
    )
