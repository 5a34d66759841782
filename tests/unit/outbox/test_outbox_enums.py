"""Outbox statuses and channels are enums stored as the strings rows already hold."""

from __future__ import annotations

import pytest

from domain.states import OutboxStatus
from outbox.store import EMAIL, TELEGRAM, OutboxChannel, outbox_rows


def test_stored_values_are_unchanged() -> None:
    assert [s.value for s in OutboxStatus] == ["pending", "sent", "failed"]
    assert [c.value for c in OutboxChannel] == ["email", "telegram"]
    assert (EMAIL, TELEGRAM) == (OutboxChannel.EMAIL, OutboxChannel.TELEGRAM)


def test_rows_are_pending_with_the_channel_as_stored() -> None:
    rows = outbox_rows([{"key": "k", "channel": "email", "recipient": "a@b.vn", "body": "x"}])
    [row] = rows.rows
    assert (row["status"], row["channel"]) == ("pending", "email")
    assert type(row["status"]) is str and type(row["channel"]) is str


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outbox channel 'sms'"):
        outbox_rows([{"key": "k", "channel": "sms", "recipient": "1", "body": "x"}])
