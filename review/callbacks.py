"""The review buttons' callback_data: ``rv:<action>:<submission id>:<version>``, opaque and short
(``rv:pu:<submission id>:<version>:<unit id>`` for a unit chosen from a list).

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
    PICK_UNIT = "pu"  # quarantined: one unit chosen from the list of those matching a name


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
    arg: int = 0  # PICK_UNIT: the unit's id

    def encode(self) -> str:
        """The callback_data string."""
        return encode(self.action, self.submission_id, self.version, self.arg)


def encode(action: Action, submission_id: int, version: int, arg: int = 0) -> str:
    """``rv:<action>:<id>:<version>[:<arg>]``; ValueError if over 64 bytes."""
    data = f"{PREFIX}:{action.value}:{submission_id}:{version}"
    if action == Action.PICK_UNIT:
        data += f":{arg}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback_data longer than 64 bytes")
    return data


def decode(data: str | None) -> ReviewCallback | None:
    """Parse callback_data; None for anything that is not a well-formed review button."""
    parts = (data or "").split(":")
    if len(parts) not in (4, 5) or parts[0] != PREFIX:
        return None
    try:
        action = Action(parts[1])
    except ValueError:
        return None
    submission_id, version = parse_id(parts[2]), parse_id(parts[3])
    if submission_id is None or version is None:
        return None  # forged or damaged: never reaches the database
    arg = parse_id(parts[4]) if len(parts) == 5 else 0
    if (action == Action.PICK_UNIT) != (len(parts) == 5) or arg is None:
        return None  # only a unit choice carries an argument (a unit id)
    return ReviewCallback(action, submission_id, version, arg)
