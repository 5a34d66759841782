"""The two lifecycles, as tables of the only legal moves: a submission's (drawn in states.mmd
beside this file) and a publication's (publication_states.mmd)."""

from __future__ import annotations

from enum import StrEnum

from domain import glossary
from domain.errors import IllegalPublicationMoveError


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

# (from, to): every move a submission may make; storage.submissions.transition() refuses others.
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


class OutboxStatus(StrEnum):
    """Where an outbound message is: waiting (or waiting to be retried), delivered, given up.
    Stored as these strings; only outbox.store moves a message between them."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


# --- the publication lifecycle (drawn in publication_states.mmd beside this file) --------------


class PublicationStatus(StrEnum):
    """Where one publication (a submission revision on one target) is.

    Each state is committed before the next call to Zalo, so a restart knows what may already
    have happened: `creating` means a create may have been sent (reconcile before creating
    again), `broadcasting` that a broadcast may have been sent (never resent automatically).
    """

    QUEUED = "queued"
    CREATING = "creating"
    CREATED = "created"  # token stored, waiting for verify
    VERIFIED = "verified"  # article id stored
    BROADCASTING = "broadcasting"
    BROADCAST = "broadcast"
    PUBLISHED = "published"
    FAILED = "failed"
    REMOVED = "removed"


P = PublicationStatus

# The states the publish worker advances; FAILED waits for a person, the others are done.
PUBLICATION_ACTIVE: tuple[PublicationStatus, ...] = (
    P.QUEUED,
    P.CREATING,
    P.CREATED,
    P.VERIFIED,
    P.BROADCASTING,
    P.BROADCAST,
)

# (from, to): every move a publication may make; storage.publications.transition() refuses others.
PUBLICATION_TRANSITIONS: frozenset[tuple[PublicationStatus, PublicationStatus]] = frozenset(
    {
        (P.QUEUED, P.CREATING),  # the article is built and a create is about to be sent
        (P.QUEUED, P.PUBLISHED),  # a dry run: the preview is the publication
        (P.CREATING, P.CREATED),  # Zalo answered the create with a token
        (P.CREATING, P.VERIFIED),  # reconciling found the article an unanswered create made
        (P.CREATED, P.VERIFIED),
        (P.VERIFIED, P.BROADCASTING),
        (P.VERIFIED, P.PUBLISHED),  # no broadcast wanted (or the article is hidden)
        (P.BROADCASTING, P.BROADCAST),
        (P.BROADCASTING, P.VERIFIED),  # Zalo refused definitively: nothing was sent, try later
        (P.BROADCASTING, P.PUBLISHED),  # outcome unknown or refused: finished with a note
        (P.BROADCAST, P.PUBLISHED),
        (P.PUBLISHED, P.VERIFIED),  # an editor asks for the broadcast again
    }
    # Any active state can fail (the editors get a retry button), and a retry resumes it.
    | {(state, P.FAILED) for state in PUBLICATION_ACTIVE}
    | {(P.FAILED, state) for state in PUBLICATION_ACTIVE}
    # `publish remove`, or a submission withdrawn before anything reached Zalo.
    | {(state, P.REMOVED) for state in P if state is not P.REMOVED}
)


def can_move_publication(
    current: PublicationStatus | str, target: PublicationStatus | str
) -> bool:
    """True when the publication lifecycle allows moving from `current` to `target`."""
    return (PublicationStatus(current), PublicationStatus(target)) in PUBLICATION_TRANSITIONS


def check_publication_move(
    publication_id: int, current: PublicationStatus | str, target: PublicationStatus | str
) -> None:
    """Raise IllegalPublicationMoveError unless the lifecycle allows `current` -> `target`."""
    if not can_move_publication(current, target):
        raise IllegalPublicationMoveError(publication_id, str(current), str(target))
