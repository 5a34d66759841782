"""The error family: four kinds that tell a caller what to do next."""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base of every error Newsdesk raises on purpose."""


class TransientError(NewsdeskError, ConnectionError):
    """Try again later; `retry_after` (seconds) says when, if the peer told us."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthError(NewsdeskError):
    """Credentials are missing, expired or refused: refresh or re-authorise."""


class RejectedError(NewsdeskError, ValueError):
    """Permanent for this payload: record it and tell a person."""


class OutcomeUnknownError(NewsdeskError, TimeoutError):
    """An irreversible call may or may not have happened: reconcile before any retry."""


class ConfigError(NewsdeskError, ValueError):
    """The configuration cannot work; the message says which setting to fix."""


class IllegalTransitionError(RejectedError):
    """The submission lifecycle has no such move."""

    def __init__(self, submission_id: int, current: str, target: str) -> None:
        super().__init__(f"submission {submission_id}: no move from {current} to {target}")
        self.submission_id = submission_id
        self.current = current
        self.target = target


class StaleTransitionError(NewsdeskError):
    """Somebody else changed the submission first (compare-and-set lost).

    Carries the state that won so the loser can be told who decided.
    """

    def __init__(
        self,
        submission_id: int,
        *,
        current_status: str,
        current_version: int,
        decided_by: str | None = None,
    ) -> None:
        super().__init__(
            f"submission {submission_id} changed first: now {current_status} v{current_version}"
            + (f" by {decided_by}" if decided_by else "")
        )
        self.submission_id = submission_id
        self.current_status = current_status
        self.current_version = current_version
        self.decided_by = decided_by


class IllegalPublicationMoveError(RejectedError):
    """The publication lifecycle has no such move (a fault of ours, never of the input)."""

    def __init__(self, publication_id: int, current: str, target: str) -> None:
        super().__init__(f"publication {publication_id}: no move from {current} to {target}")
        self.publication_id = publication_id
        self.current = current
        self.target = target
