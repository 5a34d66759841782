"""Typed Zalo errors: each carries Zalo's code and message and says what the caller should do.

The kinds are domain/errors.py's: transient (retry later), auth (refresh or re-authorise), rejected
(permanent for this payload), outcome unknown (reconcile first). "Needs a person" is a rejected
error whose fix is outside the payload (OA disabled, package too low, app not registered...).
"""

from __future__ import annotations

from domain.errors import (
    AuthError,
    NewsdeskError,
    OutcomeUnknownError,
    RejectedError,
    TransientError,
)


class ZaloError(NewsdeskError):
    """Any failure reported by Zalo or on the way to it."""

    def __init__(self, code: int | None, message: str, *, operation: str = "") -> None:
        self.code = code
        self.message = message
        self.operation = operation
        super().__init__(f"zalo {operation or 'call'}: {code} {message}".strip())


class ZaloTransientError(ZaloError, TransientError):
    """Retry later with backoff; nothing happened on Zalo's side that matters."""


class ZaloRateLimited(ZaloTransientError):
    """-32: the per-minute limit is reached; wait for the next minute."""

    def __init__(
        self,
        code: int | None,
        message: str,
        *,
        operation: str = "",
        limit: int | None = None,
        remain: int | None = None,
    ) -> None:
        super().__init__(code, message, operation=operation)
        self.limit = limit
        self.remain = remain


class ZaloArticleProcessing(ZaloTransientError):
    """-214 on verify: Zalo is still processing the article (fetching images...)."""


class ZaloWaitError(ZaloTransientError):
    """Wait for a time or quota boundary: -211, -218, -223 (article quota), -234 (night)."""


class ZaloTokenError(ZaloError, AuthError):
    """-216/-220: the access token is invalid or expired; refresh once and retry once."""


class ZaloOAuthError(ZaloError, AuthError):
    """The OAuth endpoint refused a code or a refresh token: an OA admin must re-authorise."""

    def __init__(
        self,
        code: int | None,
        message: str,
        *,
        operation: str = "",
        error_name: str = "",
        error_reason: str = "",
    ) -> None:
        super().__init__(code, message, operation=operation)
        self.error_name = error_name
        self.error_reason = error_reason


class ZaloRejected(ZaloError, RejectedError):
    """Permanent for this payload: record it and tell an editor."""

    needs_person = False


class ZaloNeedsPerson(ZaloRejected):
    """Permanent until a person fixes the account, package, app or content."""

    needs_person = True


class ZaloOutcomeUnknown(ZaloError, OutcomeUnknownError):
    """A non-idempotent call (create, broadcast) may or may not have taken effect."""


_TRANSIENT = {-200}
_WAIT = {-211, -218, -234}
_TOKEN = {-216, -220}
_PERSON = {-204, -205, -209, -212, -219, -221, -224, -235, -242, -248, -320, -321}
_REJECTED = {-100, -201, -210, -213, -217, -227, -230, -232, -233, -240, -244}


def error_for(
    code: int,
    message: str,
    *,
    operation: str = "",
    limit: int | None = None,
    remain: int | None = None,
) -> ZaloError:
    """Map a non-zero Zalo `error` to the exception that tells the caller what to do."""
    if code == -32:
        return ZaloRateLimited(code, message, operation=operation, limit=limit, remain=remain)
    if code == -214:
        return ZaloArticleProcessing(code, message, operation=operation)
    if code == -223:
        # Two meanings share -223; only the quota one goes away by itself.
        if "quota" in message.lower():
            return ZaloWaitError(code, message, operation=operation)
        return ZaloNeedsPerson(code, message, operation=operation)
    kinds: list[tuple[set[int], type[ZaloError]]] = [
        (_TRANSIENT, ZaloTransientError),
        (_WAIT, ZaloWaitError),
        (_TOKEN, ZaloTokenError),
        (_PERSON, ZaloNeedsPerson),
        (_REJECTED, ZaloRejected),
    ]
    for codes, kind in kinds:
        if code in codes:
            return kind(code, message, operation=operation)
    # An undocumented code: a person should look at it rather than the worker looping.
    return ZaloNeedsPerson(code, message, operation=operation)
