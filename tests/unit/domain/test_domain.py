"""Pure rules: lifecycle table, periods, text keys, phones."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import pytest

from domain.periods import (
    month_bounds,
    next_period,
    parse_local_time,
    parse_period,
    period_of,
    previous_period,
    time_examples,
)
from domain.phones import PhoneError, display_phone, normalise_phone
from domain.states import TRANSITIONS, SubmissionStatus, can_transition
from domain.text import clean, match_key, nfc, vi_sort_key
from tests.support.paths import ROOT

S = SubmissionStatus


def test_mermaid_diagram_lists_exactly_the_transition_table() -> None:
    text = (ROOT / "domain" / "states.mmd").read_text()
    edges = {tuple(m) for m in re.findall(r"^\s*(\w+) --> (\w+)\s*$", text, flags=re.M)}
    assert edges == {(a.value, b.value) for a, b in TRANSITIONS}


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.RECEIVED, S.PENDING_REVIEW, True),
        (S.RECEIVED, S.QUARANTINED, True),
        (S.QUARANTINED, S.PENDING_REVIEW, True),
        (S.PENDING_REVIEW, S.APPROVED, True),
        (S.CHANGES_REQUESTED, S.PENDING_REVIEW, True),
        (S.PUBLISH_FAILED, S.SCHEDULED, True),
        (S.APPROVED, S.WITHDRAWN, True),
        (S.PUBLISHED, S.WITHDRAWN, False),
        (S.REJECTED, S.APPROVED, False),
        (S.PENDING_REVIEW, S.PUBLISHED, False),
        (S.APPROVED, S.PUBLISHING, False),
    ],
)
def test_lifecycle_edges(current: S, target: S, allowed: bool) -> None:
    assert can_transition(current, target) is allowed


def test_period_is_local_month_not_utc_month() -> None:
    # 31 July 2024 20:00 UTC is already 1 August 03:00 in Hanoi.
    assert period_of(datetime(2024, 7, 31, 20, 0, tzinfo=UTC)) == "2024-08"
    assert period_of(datetime(2024, 7, 31, 16, 59, tzinfo=UTC)) == "2024-07"


def test_month_bounds_and_neighbours() -> None:
    start, end = month_bounds("2024-12")
    assert start == datetime(2024, 11, 30, 17, 0, tzinfo=UTC)
    assert end == datetime(2024, 12, 31, 17, 0, tzinfo=UTC)
    assert next_period("2024-12") == "2025-01"
    assert previous_period("2025-01") == "2024-12"
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period("2024-13")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        period_of(datetime(2024, 7, 1))


def test_nfc_and_clean() -> None:
    decomposed = unicodedata.normalize("NFD", "Thái Bình")
    assert decomposed != "Thái Bình"
    assert nfc(decomposed) == "Thái Bình"
    assert clean(f"  {decomposed}\n\t tỉnh\x00 ") == "Thái Bình tỉnh"


def test_match_key_folds_case_spacing_and_tone_placement() -> None:
    assert match_key("Sở Văn hóa") == match_key("SỞ  VĂN HOÁ")
    assert match_key("Thái Thụy") == match_key("Thái Thuỵ")
    assert match_key("hòa") != match_key("hoa")
    assert match_key("hòa") != match_key("hóa")


def test_vietnamese_sort_order() -> None:
    """Alphabet a ă â b c d đ e ê ... o ô ơ ... u ư: not code-point order."""
    names = ["Đông Hưng", "Dương", "Ân", "An", "Ăn", "Bình", "Ơn", "Ôn", "On", "Ưu", "Uy"]
    expected = ["An", "Ăn", "Ân", "Bình", "Dương", "Đông Hưng", "On", "Ôn", "Ơn", "Uy", "Ưu"]
    assert sorted(names, key=vi_sort_key) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("(+84) 912-345-678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0912345678 (Zalo)", "+84912345678"),
        ("01689 123 456", "+84389123456"),
        ("0123 456 7890", "+84834567890"),
        ("0199 123 4567", "+84591234567"),
        ("(0227) 3.831.234", "+842273831234"),
    ],
)
def test_phone_numbers_become_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "abc", "0912"])
def test_bad_phone_numbers_are_explained_in_vietnamese(raw: str) -> None:
    with pytest.raises(PhoneError, match=r"số điện thoại|thiếu"):
        normalise_phone(raw)


def test_phone_display_is_national() -> None:
    assert display_phone("+84912345678") == "0912 345 678"


NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Hanoi


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ngay", None),
        ("  Bây giờ ", None),
        ("08:00 27/11/2026", datetime(2026, 11, 27, 1, 0, tzinfo=UTC)),
        ("27/11/2026 08:00", datetime(2026, 11, 27, 1, 0, tzinfo=UTC)),
        ("15:30", datetime(2026, 11, 26, 8, 30, tzinfo=UTC)),
        ("09:00", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),  # past today: tomorrow
        ("08h30 02/01", datetime(2027, 1, 2, 1, 30, tzinfo=UTC)),
        ("08:00 1/12", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        # as people type them (NOW is Thursday 26/11/2026 10:00 in Hanoi)
        ("8h sáng mai", datetime(2026, 11, 27, 1, 0, tzinfo=UTC)),
        ("14h30 thứ Sáu", datetime(2026, 11, 27, 7, 30, tzinfo=UTC)),
        ("14h30 thứ 6", datetime(2026, 11, 27, 7, 30, tzinfo=UTC)),
        ("2h chiều", datetime(2026, 11, 26, 7, 0, tzinfo=UTC)),
        ("10h tối nay", datetime(2026, 11, 26, 15, 0, tzinfo=UTC)),
        ("9h thứ Năm", datetime(2026, 12, 3, 2, 0, tzinfo=UTC)),  # today's 9h has passed
        ("9h thứ hai tuần sau", datetime(2026, 11, 30, 2, 0, tzinfo=UTC)),
        ("12h trưa chủ nhật", datetime(2026, 11, 29, 5, 0, tzinfo=UTC)),
        ("8 giờ 30 sáng ngày kia", datetime(2026, 11, 28, 1, 30, tzinfo=UTC)),
        ("lúc 08:00 ngày 27/11/2026", datetime(2026, 11, 27, 1, 0, tzinfo=UTC)),  # as we write
    ],
)
def test_publish_slots_in_vietnamese_writing(text: str, expected: datetime | None) -> None:
    assert parse_local_time(text, now=NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["mai", "25:00", "31/02/2027 08:00", "08:00 01/01/2020", "", "8h mai thứ Sáu", "8h xyz"],
)
def test_bad_publish_slots_are_explained(text: str) -> None:
    with pytest.raises(ValueError, match=r"không hiểu|không có thật|đã qua"):
        parse_local_time(text, now=NOW)


def test_time_examples_are_never_in_the_past() -> None:
    assert time_examples(NOW) == "8h sáng mai, 14h30 thứ Sáu, 08:00 27/11/2026"
    for example in time_examples(NOW).split(", "):
        assert parse_local_time(example, now=NOW) is not None
