"""Vietnamese phone numbers to E.164, old 11-digit mobile numbers converted first."""

from __future__ import annotations

import re

import phonenumbers

from domain.errors import NewsdeskError

# The 2018 conversion of 11-digit mobile numbers (prefix 01xx) to 10 digits
# (the Ministry of Information and Communications' 2018 renumbering): old prefix -> new prefix.
OLD_MOBILE_PREFIXES = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",
    "0186": "056", "0188": "058",
    "0199": "059",
}  # fmt: skip

_DIGITS = re.compile(r"[^\d+]")


class PhoneError(NewsdeskError, ValueError):
    """The text is not a usable Vietnamese phone number."""


def _national_digits(raw: str) -> str:
    digits = _DIGITS.sub("", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def convert_old_mobile(national: str) -> str:
    """Map an 11-digit 01xx mobile number to its 10-digit form; others unchanged."""
    if len(national) == 11 and national.startswith("01"):
        new_prefix = OLD_MOBILE_PREFIXES.get(national[:4])
        if new_prefix:
            return new_prefix + national[4:]
    return national


def normalise_phone(raw: str) -> str:
    """Return the number in E.164 (+84...), or raise PhoneError with a Vietnamese reason."""
    text = (raw or "").strip()
    if not text:
        raise PhoneError("thiếu số điện thoại")
    national = convert_old_mobile(_national_digits(text))
    try:
        parsed = phonenumbers.parse(national, "VN")
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"số điện thoại không đọc được: {text!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(f"số điện thoại không hợp lệ: {text!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """A phone number the way Vietnamese readers write it (0912 345 678)."""
    parsed = phonenumbers.parse(e164, "VN")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
