"""Every inline button's callback_data, built and parsed here: one typed codec.

Telegram gives a button 64 bytes of data and hands them back untouched when it is pressed,
so the data is untrusted input. Only ids, a short action code and the compare-and-set
version travel; everything else is read from the database when the button is pressed.

    rv:<action>:<submission id>:<version>             a review card's button
    rv:pu:<submission id>:<version>:<unit id>         a unit chosen from a list (quarantine)
    pub:retry:<publication id>                        the publisher's «Đăng lại»
    dr:send, dr:cancel                                an officer's draft summary
    dr:rev:<submission id>                            «Gửi bản sửa» under a change request
    ob:consent:yes, ob:consent:no                     keeping the officer's phone number

`decode` returns None for anything else (forged, damaged, or from an older release); the
bot answers such a press in Vietnamese and acts on nothing (tgbot.bot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from domain.ids import parse_id
from domain.kinds import SubmissionKind

MAX_BYTES = 64
Button = tuple[str, str]  # (label, callback_data): a button as the pure code renders it


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
class ReviewPress:
    """A review card's button: an action on one version of one submission."""

    action: Action
    submission_id: int
    version: int
    arg: int = 0  # PICK_UNIT: the unit's id


@dataclass(frozen=True)
class RetryPublication:
    """The publisher's «Đăng lại» under a failed publication's message."""

    publication_id: int


class DraftButton(StrEnum):
    """The two buttons under an officer's draft summary."""

    SEND = "send"
    CANCEL = "cancel"


@dataclass(frozen=True)
class ReviseSubmission:
    """«Gửi bản sửa» under a change request: the officer's next draft answers it."""

    submission_id: int


@dataclass(frozen=True)
class Consent:
    """Yes or no to keeping the officer's phone number."""

    agreed: bool


Callback = ReviewPress | RetryPublication | DraftButton | ReviseSubmission | Consent


def encode(callback: Callback) -> str:
    """The callback_data of a button; ValueError if it would exceed Telegram's 64 bytes."""
    match callback:
        case ReviewPress(action, submission_id, version, arg):
            data = f"rv:{action.value}:{submission_id}:{version}"
            if action == Action.PICK_UNIT:
                data += f":{arg}"
        case RetryPublication(publication_id):
            data = f"pub:retry:{publication_id}"
        case DraftButton():
            data = f"dr:{callback.value}"
        case ReviseSubmission(submission_id):
            data = f"dr:rev:{submission_id}"
        case Consent(agreed):
            data = f"ob:consent:{'yes' if agreed else 'no'}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback_data longer than 64 bytes")
    return data


def review_data(action: Action, submission_id: int, version: int, arg: int = 0) -> str:
    """The callback_data of a review card's button."""
    return encode(ReviewPress(action, submission_id, version, arg))


def decode(data: object) -> Callback | None:
    """The button a callback_data means; None for anything that is not one of ours.

    Ids must be plain ASCII digits that fit the database's columns (domain.ids), so forged
    data never reaches a query.
    """
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    match parts:
        case ["rv", action, submission, version, *rest] if len(rest) <= 1:
            return _review(action, submission, version, rest)
        case ["pub", "retry", publication]:
            publication_id = parse_id(publication)
            return RetryPublication(publication_id) if publication_id is not None else None
        case ["dr", "send" | "cancel" as button]:
            return DraftButton(button)
        case ["dr", "rev", submission]:
            submission_id = parse_id(submission)
            return ReviseSubmission(submission_id) if submission_id is not None else None
        case ["ob", "consent", "yes" | "no" as answer]:
            return Consent(agreed=answer == "yes")
    return None


def _review(action: str, submission: str, version: str, rest: list[str]) -> ReviewPress | None:
    try:
        act = Action(action)
    except ValueError:
        return None
    submission_id, version_no = parse_id(submission), parse_id(version)
    if submission_id is None or version_no is None:
        return None  # forged or damaged: never reaches the database
    if (act == Action.PICK_UNIT) != bool(rest):
        return None  # only a unit choice carries an argument (a unit id)
    arg = parse_id(rest[0]) if rest else 0
    if arg is None:
        return None
    return ReviewPress(act, submission_id, version_no, arg)


def pattern(*wanted: type | Callback) -> Callable[[object], bool]:
    """Whether callback data decodes to one of ``wanted``: a kind of button (a class) or one
    button (a value, such as ``DraftButton.SEND``)."""
    kinds = tuple(w for w in wanted if isinstance(w, type))
    values = [w for w in wanted if not isinstance(w, type)]

    def matches(data: object) -> bool:
        cb = decode(data)
        return cb is not None and (isinstance(cb, kinds) or cb in values)

    return matches


def is_review(data: object, action: Action | None = None) -> bool:
    """A review card's press (with ``action``: that action), read through the codec."""
    cb = decode(data)
    return isinstance(cb, ReviewPress) and (action is None or cb.action == action)
