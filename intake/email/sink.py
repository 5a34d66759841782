"""What the mail readers (IMAP, drop folder) need from storage (intake.email.store)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from domain.mail import MailOutcome
from intake.email.model import ReadMail
from storage.leases import Held


class MailSink(Protocol):
    """Where read messages go, with its own idempotency (see intake.email.store)."""

    async def processed_uids(
        self, *, mailbox: str, uidvalidity: int, uids: Sequence[int]
    ) -> set[int]:
        """UIDs of this mailbox generation already recorded (committed)."""
        ...

    async def store(self, mails: Sequence[ReadMail]) -> list[MailOutcome]:
        """Write the batch's files durably, then commit everything it causes in one
        transaction; an outcome per mail, in order."""
        ...

    def exclusive(self, name: str) -> AbstractAsyncContextManager[Held | None]:
        """Hold the mailbox's lease for a sweep (None: another instance holds it)."""
        ...

    async def mark_moved(self, *, mailbox: str, uidvalidity: int, uids: Sequence[int]) -> None:
        """Record that these messages were moved out of the mailbox."""
        ...
