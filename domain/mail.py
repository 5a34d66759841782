"""What became of one received e-mail (the `processed_mail.outcome` column)."""

from __future__ import annotations

from enum import StrEnum


class MailOutcome(StrEnum):
    """The outcome recorded for a mailbox message, stored as its string value."""

    STORED = "stored"  # a new submission from a registered sender
    QUARANTINED = "quarantined"  # a new submission whose sender no unit claims
    REVISED = "revised"  # a new version of a submission sent back for changes
    REFUSED = "refused"  # over the size limit: only its headers were read, the sender told
    DUPLICATE = "duplicate"  # the same message seen before (another UID, or another instance)
    ERROR = "error"  # storing it failed; the raw mail stays in the file store and mailbox

    @property
    def is_new(self) -> bool:
        """Whether the message caused something to tell (a receipt, a refusal, a card)."""
        return self in (MailOutcome.STORED, MailOutcome.QUARANTINED, MailOutcome.REVISED,
                        MailOutcome.REFUSED)  # fmt: skip
