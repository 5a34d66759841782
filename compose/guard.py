"""The personal-data guard: registry contacts out of what is published, anything else that
looks personal flagged for the editor (pure).

An officer's phone and e-mail are registry data (Decree 13/2023, Law 91/2025): they are
removed from the published text in whatever form they were written ("0912 345 678",
"0912.345.678", "+84 912 345 678", "84912345678"). Any other mobile number, e-mail address
or 12-digit citizen ID left in the text raises a warning; an editor decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from compose.model import Contacts
from domain.phones import PhoneError, normalise_phone

_SEP = r"[\s.\-·]?"
# A Vietnamese number as people write it: 0 or +84/84/(+84)/0084, then 9 digits grouped
# by spaces, dots or dashes; not glued to other digits.
PHONE = re.compile(
    r"(?<![\d+])(?P<prefix>\(\s*\+?84\s*\)|\+\s?84|0084|84|0)" + r"(?:" + _SEP + r"\d){9,10}(?!\d)"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
CITIZEN_ID = re.compile(r"(?<![\d.,])\d{12}(?![\d.,]\d)")
_MOBILE_PREFIXES = ("+843", "+845", "+847", "+848", "+849")
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:đt|sđt|sdt|dđ|điện\s*thoại|di\s*động|mobile|tel|zalo|email|e-mail)\s*[:.]?\s*)$",
    re.IGNORECASE,
)


@dataclass
class Guarded:
    """Text with registry contacts removed, and what was removed or found."""

    text: str
    removed_phones: int = 0
    removed_emails: int = 0
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    citizen_ids: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def e164(raw: str) -> str | None:
    try:
        return normalise_phone(raw)
    except PhoneError:
        return None


def guard(text: str, protected: Contacts, *, remove: bool = True) -> Guarded:
    """Remove protected contacts (with their label, "ĐT: ...") unless `remove` is False
    (an editor kept them); list every other mobile number, e-mail and 12-digit number."""
    phones = set(protected.phones)
    emails = {e.lower() for e in protected.emails}
    result = Guarded(text=text)

    def phone(match: re.Match[str]) -> str:
        text, rest = _number_and_rest(match, phones)
        number = e164(text)
        if number is not None and number in phones:
            if not remove:
                result.kept.append(text)
                return text + rest
            result.removed_phones += 1
            return "\x00" + rest
        if number is not None and number.startswith(_MOBILE_PREFIXES):
            result.phones.append(text.strip())
        return text + rest

    def mail(match: re.Match[str]) -> str:
        if match.group(0).lower() in emails:
            if not remove:
                result.kept.append(match.group(0))
                return match.group(0)
            result.removed_emails += 1
            return "\x00"
        result.emails.append(match.group(0))
        return match.group(0)

    out = EMAIL.sub(mail, text)
    out = PHONE.sub(phone, out)
    result.citizen_ids = [m.group(0) for m in CITIZEN_ID.finditer(out)]
    result.text = _tidy(out) if "\x00" in out else out
    return result


def _number_and_rest(match: re.Match[str], phones: set[str]) -> tuple[str, str]:
    """A match may have taken one digit too many ("0912345678 1." is a number and a list
    marker): when the 10-digit reading is not a valid number, or not a registered one while
    the 9-digit reading is, the number is the 9-digit reading and the rest stays text."""
    text = match.group(0)
    wanted = sum(ch.isdigit() for ch in match.group("prefix")) + 9
    seen = 0
    for index, ch in enumerate(text):
        seen += ch.isdigit()
        if seen == wanted:
            short, rest = text[: index + 1], text[index + 1 :]
            break
    else:
        return text, ""
    if not rest:
        return text, ""
    long_number, short_number = e164(text), e164(short)
    if long_number is None or (long_number not in phones and short_number in phones):
        return short, rest
    return text, ""


def _tidy(text: str) -> str:
    """Drop the removed values' labels and the punctuation left around them."""
    lines = []
    for line in text.split("\n"):
        while "\x00" in line:
            before, _, after = line.partition("\x00")
            before = _LABEL_BEFORE.sub("", before).rstrip(" ,;/-–(")
            after = after.lstrip(" )")
            if before and after:
                glue = "" if after[0] in ",.;:!?" else " "
                line = f"{before}{glue}{after}"
            else:
                line = before or after
        lines.append(line)
    return "\n".join(lines)
