"""What a stored Telegram update produced: one typed value, written and read by one codec.

The update log keeps each update's outcome in one short text column (at most 64 characters).
Every outcome is an `Outcome`: a kind from `Kind` and, for the kinds that point at something,
the ids they point at. Code builds outcomes with the constructors below and reads them with
`Outcome.decode`; nothing splits or prefix-matches the stored text by hand.

    ""                                 not handled yet (replayed at start-up)
    done                               handled, nothing more to know
    draft:<user>                       a message kept in that officer's open draft
    bind:<user>:<submission>           «Gửi bản sửa» pressed: the draft answers that submission
    sent:<submission>:<revision>       a message of a draft that became that revision
    prompt:<chat>:<message>            a press that asked a question (ForceReply) in that message
    prompt-used:<chat>:<message>       ... whose question has been answered
    error:<detail>                     a handler failed (the exception's class), or unparseable
    note:<detail>                      handled, with a short note for people reading the log
                                       (``not_linked``, ``too_big``, ``send:not_open``...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_CHARS = 64
_INT = re.compile(r"-?[0-9]{1,19}")


class Kind(StrEnum):
    """The kinds of outcome."""

    DONE = "done"
    DRAFT = "draft"
    BIND = "bind"
    SENT = "sent"
    CANCELLED = "cancelled"
    PROMPT = "prompt"
    PROMPT_USED = "prompt-used"
    ERROR = "error"
    NOTE = "note"


# kind -> number of ids it carries
_IDS = {
    Kind.DONE: 0,
    Kind.CANCELLED: 0,
    Kind.DRAFT: 1,
    Kind.BIND: 2,
    Kind.SENT: 2,
    Kind.PROMPT: 2,
    Kind.PROMPT_USED: 2,
}


@dataclass(frozen=True)
class Outcome:
    """One stored outcome: a kind, the ids it names, or a free note (ERROR, NOTE)."""

    kind: Kind
    ids: tuple[int, ...] = ()
    detail: str = ""

    def encode(self) -> str:
        """The stored text (at most 64 characters)."""
        if self.kind in (Kind.ERROR, Kind.NOTE):
            return f"{self.kind.value}:{self.detail}"[:MAX_CHARS]
        return ":".join([self.kind.value, *(str(i) for i in self.ids)])[:MAX_CHARS]

    def __str__(self) -> str:
        return self.encode()

    @classmethod
    def decode(cls, text: str) -> Outcome | None:
        """The outcome a stored text means; None for "" (not handled) or a text no release
        of this codec wrote."""
        head, _, rest = text.partition(":")
        try:
            kind = Kind(head)
        except ValueError:
            return None
        if kind in (Kind.ERROR, Kind.NOTE):
            return cls(kind, detail=rest)
        parts = rest.split(":") if rest else []
        ids = tuple(_int(p) for p in parts)
        if len(ids) != _IDS[kind] or any(i is None for i in ids):
            return None
        return cls(kind, tuple(i for i in ids if i is not None))

    # --- the ids, by name -----------------------------------------------------------------
    @property
    def user_id(self) -> int:
        """DRAFT and BIND: the officer's Telegram user id."""
        assert self.kind in (Kind.DRAFT, Kind.BIND)
        return self.ids[0]

    @property
    def submission_id(self) -> int:
        """BIND and SENT: the submission."""
        assert self.kind in (Kind.BIND, Kind.SENT)
        return self.ids[1] if self.kind == Kind.BIND else self.ids[0]


def _int(text: str) -> int | None:
    """A stored id: Telegram's chat and user ids are 64-bit and chats' are negative."""
    return int(text) if _INT.fullmatch(text) and abs(int(text)) < 2**63 else None


DONE = Outcome(Kind.DONE)
CANCELLED = Outcome(Kind.CANCELLED)
UNPARSEABLE = Outcome(Kind.ERROR, detail="unparseable")


def draft(user_id: int) -> Outcome:
    """A message kept in this officer's open draft."""
    return Outcome(Kind.DRAFT, (user_id,))


def bind(user_id: int, submission_id: int) -> Outcome:
    """The officer's next draft answers this submission's change request."""
    return Outcome(Kind.BIND, (user_id, submission_id))


def sent(submission_id: int, revision: int) -> Outcome:
    """A message of a draft stored as this revision of this submission."""
    return Outcome(Kind.SENT, (submission_id, revision))


def prompt(chat_id: int, message_id: int) -> Outcome:
    """A press that asked its question (ForceReply) in this message."""
    return Outcome(Kind.PROMPT, (chat_id, message_id))


def prompt_used(chat_id: int, message_id: int) -> Outcome:
    """A prompt that has been answered (a second answer is told it came too late)."""
    return Outcome(Kind.PROMPT_USED, (chat_id, message_id))


def error(name: str) -> Outcome:
    """A handler failed with this exception class (the raw update is kept)."""
    return Outcome(Kind.ERROR, detail=name)


def note(detail: str) -> Outcome:
    """Handled, with a short note for people reading the log."""
    return Outcome(Kind.NOTE, detail=detail)
