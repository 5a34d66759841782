"""The one callback-data codec and the update log's outcome codec (pure)."""

from __future__ import annotations

import pytest

from tgbot import outcomes
from tgbot.callbacks import (
    Action,
    Consent,
    DraftButton,
    RetryPublication,
    ReviewPress,
    ReviseSubmission,
    decode,
    encode,
    pattern,
)
from tgbot.outcomes import Kind, Outcome


@pytest.mark.parametrize(
    ("button", "data"),
    [
        (ReviewPress(Action.APPROVE, 5, 3), "rv:ap:5:3"),
        (ReviewPress(Action.PICK_UNIT, 5, 3, 9), "rv:pu:5:3:9"),
        (RetryPublication(12), "pub:retry:12"),
        (DraftButton.SEND, "dr:send"),
        (DraftButton.CANCEL, "dr:cancel"),
        (ReviseSubmission(7), "dr:rev:7"),
        (Consent(agreed=True), "ob:consent:yes"),
        (Consent(agreed=False), "ob:consent:no"),
    ],
)
def test_every_button_round_trips(button: object, data: str) -> None:
    assert encode(button) == data  # type: ignore[arg-type]
    assert decode(data) == button


@pytest.mark.parametrize(
    "data",
    [
        None,
        42,
        "",
        "pub:retry:",
        "pub:retry:0",
        "pub:retry:99999999999999999999",
        "pub:retry:5:6",
        "dr:send:1",
        "dr:rev:x",
        "dr:rev:-3",
        "ob:consent:maybe",
        "ob:consent:",
        "zz:1",
        "rv:ap:1:1:" + "9" * 60,
    ],
)
def test_forged_or_foreign_data_decodes_to_nothing(data: object) -> None:
    assert decode(data) is None


def test_patterns_pick_one_kind_of_button() -> None:
    retry = pattern(RetryPublication)
    assert retry("pub:retry:3") and not retry("rv:ap:5:3") and not retry("pub:retry:x")
    assert pattern(ReviewPress, Consent)("ob:consent:no")
    send = pattern(DraftButton.SEND)
    assert send("dr:send") and not send("dr:cancel") and not send("") and not send(None)


def test_outcomes_round_trip_and_name_their_ids() -> None:
    for outcome in (
        outcomes.DONE,
        outcomes.CANCELLED,
        outcomes.draft(8_000_000_001),
        outcomes.bind(8_000_000_001, 42),
        outcomes.sent(42, 2),
        outcomes.prompt(-1001234567890, 77),
        outcomes.prompt_used(-1001234567890, 77),
        outcomes.error("KeyError"),
        outcomes.UNPARSEABLE,
        outcomes.note("too_big"),
    ):
        text = outcome.encode()
        assert len(text) <= 64
        assert Outcome.decode(text) == outcome
    bound = Outcome.decode("bind:8000000001:42")
    assert bound is not None and (bound.user_id, bound.submission_id) == (8_000_000_001, 42)
    sent = Outcome.decode("sent:42:2")
    assert sent is not None and sent.kind == Kind.SENT and sent.submission_id == 42
    assert Outcome.decode("draft:8000000001").user_id == 8_000_000_001  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text", ["", "draft", "draft:x", "draft:1:2", "bind:1", "prompt:1", "sent:2026-11-0012:1", "?"]
)
def test_stored_text_no_codec_wrote_decodes_to_nothing(text: str) -> None:
    assert Outcome.decode(text) is None
