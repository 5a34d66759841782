"""The submission lifecycle: the only legal moves (drawn in states.mmd beside this file)."""

from __future__ import annotations

from enum import StrEnum

from domain import glossary


class SubmissionStatus(StrEnum):
    """Where a submission is in its life."""

    RECEIVED = "received"
    QUARANTINED = "quarantined"
    PENDING_REVIEW = "pending_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PUBLISH_FAILED = "publish_failed"
    WITHDRAWN = "withdrawn"


S = SubmissionStatus

FINAL_STATES: frozenset[SubmissionStatus] = frozenset({S.REJECTED, S.PUBLISHED, S.WITHDRAWN})

# (from, to): the edges of the lifecycle in design.md.
TRANSITIONS: frozenset[tuple[SubmissionStatus, SubmissionStatus]] = frozenset(
    {
        (S.RECEIVED, S.QUARANTINED),
        (S.QUARANTINED, S.PENDING_REVIEW),
        (S.QUARANTINED, S.REJECTED),  # an editor dismisses junk (bounces, spam, auto-replies)
        (S.RECEIVED, S.PENDING_REVIEW),
        (S.PENDING_REVIEW, S.APPROVED),
        (S.PENDING_REVIEW, S.CHANGES_REQUESTED),
        (S.PENDING_REVIEW, S.REJECTED),
        (S.CHANGES_REQUESTED, S.PENDING_REVIEW),
        (S.APPROVED, S.SCHEDULED),
        (S.SCHEDULED, S.PUBLISHING),
        (S.PUBLISHING, S.PUBLISHED),
        (S.PUBLISHING, S.PUBLISH_FAILED),
        (S.PUBLISH_FAILED, S.SCHEDULED),
    }
    | {(state, S.WITHDRAWN) for state in S if state not in FINAL_STATES}
)

# Statuses that count as "the unit sent something this month" unless configured otherwise.
NOT_QUALIFYING: frozenset[SubmissionStatus] = frozenset({S.REJECTED, S.WITHDRAWN})


def can_transition(current: SubmissionStatus | str, target: SubmissionStatus | str) -> bool:
    """True when the lifecycle allows moving from `current` to `target`."""
    return (SubmissionStatus(current), SubmissionStatus(target)) in TRANSITIONS


# Vietnamese labels for people (bot, emails, reports): the glossary's.
STATUS_LABELS: dict[SubmissionStatus, str] = {s: glossary.STATUS_LABELS[s.value] for s in S}
