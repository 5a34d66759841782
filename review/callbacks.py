"""The review buttons' callback_data: ``rv:<action>:<submission id>:<version>``, opaque and short.

Only an id, an action code and the compare-and-set version travel through Telegram (the limit is
64 bytes); everything else is read from the database when the button is pressed. The prefix
``pub:`` belongs to the publisher's buttons, ``dr:`` to the officer's draft buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.ids import parse_id
from domain.kinds import SubmissionKind

PREFIX = "rv"
MAX_BYTES = 64


class Action(StrEnum):
    """What a review button does (two-letter codes keep callback_data short)."""

    APPROVE = "ap"
    REQUEST_CHANGES = "rc"
    REJECT = "rj"
    EDIT_TITLE = "et"
    EDIT_SUMMARY = "es"
    KIND_MENU = "km"
    BACK = "bk"
    KIND_NEWS = "kn"
    KIND_ARTICLE = "ka"
    KIND_IMAGE = "ki"
    KIND_POSTER = "kp"
    KIND_VIDEO = "kv"
    KIND_OTHER = "ko"
    PREVIEW = "pv"
    ASSIGN_UNIT = "au"  # quarantined: name the sender's unit
    DISMISS = "dm"  # quarantined: not a submission (bounce, spam, auto-reply); with a reason
    PUBLISH_TIME = "pt"  # the editor's publish slot
    EDIT_BODY = "eb"  # «Sửa nội dung»: the reply is the new body
    COVER = "cv"  # «Chọn ảnh bìa»: the reply is the image's number


KIND_ACTIONS: dict[Action, SubmissionKind] = {
    Action.KIND_NEWS: SubmissionKind.NEWS,
    Action.KIND_ARTICLE: SubmissionKind.ARTICLE,
    Action.KIND_IMAGE: SubmissionKind.IMAGE,
    Action.KIND_POSTER: SubmissionKind.POSTER,
    Action.KIND_VIDEO: SubmissionKind.VIDEO,
    Action.KIND_OTHER: SubmissionKind.OTHER,
}


@dataclass(frozen=True)
class ReviewCallback:
    """A decoded review button press."""

    action: Action
    submission_id: int
    version: int

    def encode(self) -> str:
        """The callback_data string."""
        return encode(self.action, self.submission_id, self.version)


def encode(action: Action, submission_id: int, version: int) -> str:
    """``rv:<action>:<id>:<version>``; raises ValueError if it would not fit in 64 bytes."""
    data = f"{PREFIX}:{action.value}:{submission_id}:{version}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback_data longer than 64 bytes")
    return data


def decode(data: str | None) -> ReviewCallback | None:
    """Parse callback_data; None for anything that is not a well-formed review button."""
    parts = (data or "").split(":")
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    try:
        action = Action(parts[1])
    except ValueError:
        return None
    submission_id, version = parse_id(parts[2]), parse_id(parts[3])
    if submission_id is None or version is None:
        return None  # forged or damaged: never reaches the database
    return ReviewCallback(action, submission_id, version)
