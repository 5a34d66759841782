"""The sizes FETCH's own reader (intake/email/imap.py): what it reads, and when it hands
the answer back to IMAPClient's parser instead (None)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.email.imap import internaldate, parse_sizes, uid_set

AT = datetime(2026, 11, 26, 21, 23, 31, tzinfo=UTC)


def test_dovecot_form_and_any_item_order_read_alike() -> None:
    lines = [
        b'1 (UID 7 RFC822.SIZE 2206 INTERNALDATE "27-Nov-2026 04:23:31 +0700")',
        b'2 (INTERNALDATE "27-Nov-2026 04:23:31 +0700" RFC822.SIZE 31 UID 9)',
        b'3 (RFC822.SIZE 5 UID 12 INTERNALDATE " 7-Dec-2026 00:00:00 -0130")',
    ]
    assert parse_sizes(lines, {7, 9, 12}) == {
        7: (2206, AT),
        9: (31, AT),
        12: (5, datetime(2026, 12, 7, 1, 30, tzinfo=UTC)),
    }


def test_unsolicited_flag_changes_and_uids_not_asked_for_are_skipped() -> None:
    lines = [
        b"4 (FLAGS (\\Seen))",  # another client changed flags: not an answer
        b"5 (UID 30 FLAGS (\\Flagged))",
        b'1 (UID 7 RFC822.SIZE 10 INTERNALDATE "27-Nov-2026 04:23:31 +0700")',
        b'2 (UID 8 RFC822.SIZE 11 INTERNALDATE "27-Nov-2026 04:23:31 +0700")',
    ]
    assert parse_sizes(lines, {7}) == {7: (10, AT)}


def test_a_missing_internaldate_reads_as_none() -> None:
    assert parse_sizes([b"1 (UID 7 RFC822.SIZE 10)"], {7}) == {7: (10, None)}


@pytest.mark.parametrize(
    "line",
    [
        (b"1 (UID 7 RFC822.SIZE 10 INTERNALDATE {26}", b"27-Nov-2026 04:23:31 +0700"),
        b'1 (UID 7 RFC822.SIZE 10 INTERNALDATE "27-Nov-2026 04:23:31 +0700" MODSEQ (4))',
        b'1 (UID 7 RFC822.SIZE 10  INTERNALDATE "27-Nov-2026 04:23:31 +0700")',
        b'1 (UID 7 RFC822.SIZE 10 INTERNALDATE "31-Feb-2026 04:23:31 +0700")',
        b'1 (UID 7 RFC822.SIZE 10 INTERNALDATE "27-Abc-2026 04:23:31 +0700")',
        b'1 (UID 7 RFC822.SIZE 10 INTERNALDATE "27-Nov-2026 04:23:31 +9900")',
        b'1 (UID 7 RFC822.SIZE 10 INTERNALDATE "yesterday")',
        b"1 (RFC822.SIZE 10)",
        b'1 (UID 7 INTERNALDATE "27-Nov-2026 04:23:31 +0700" RFC822.SIZE x)',
        b"garbage RFC822.SIZE",
    ],
)
def test_anything_unusual_goes_back_to_imapclient(line: object) -> None:
    good = b'2 (UID 8 RFC822.SIZE 11 INTERNALDATE "27-Nov-2026 04:23:31 +0700")'
    assert parse_sizes([good, line], {7, 8}) is None


def test_internaldate_is_utc() -> None:
    assert internaldate(b"27-Nov-2026 04:23:31 +0700") == AT
    assert internaldate(b"27-nov-2026 04:23:31 +0700") == AT
    assert internaldate(b"01-Jan-2027 06:59:59 +0700") == datetime(
        2026, 12, 31, 23, 59, 59, tzinfo=UTC
    )


@given(st.sets(st.integers(min_value=1, max_value=200), max_size=60))
def test_uid_set_names_exactly_the_uids(uids: set[int]) -> None:
    named: set[int] = set()
    text = uid_set(sorted(uids))
    for part in filter(None, text.split(",")):
        first, _, last = part.partition(":")
        named.update(range(int(first), int(last or first) + 1))
    assert named == uids
    assert len(text.split(",")) <= max(1, len(uids))


def test_uid_set_collapses_runs() -> None:
    assert uid_set([5, 1, 2, 3, 9, 10, 3]) == "1:3,5,9:10"
