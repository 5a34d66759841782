"""Placeholder for the foundation's error kinds (replaced by main's version on merge)."""


class NewsdeskError(Exception):
    """Base of all Newsdesk errors."""


class TransientError(NewsdeskError):
    """Retry later."""


class AuthError(NewsdeskError):
    """Refresh or re-authorise."""


class RejectedError(NewsdeskError):
    """Permanent for this payload."""


class OutcomeUnknownError(NewsdeskError):
    """Reconcile before retrying."""
