"""The error family: one root, and four kinds that tell a caller what to do next."""

from __future__ import annotations

from typing import ClassVar


class NewsdeskError(Exception):
    """Base of every error Newsdesk raises on purpose, so `except NewsdeskError` catches ours
    and lets a fault of the code or the machine through.

    The message is what a person is told, in Vietnamese, except where it carries a peer's own
    words (Zalo, Telegram, SMTP); `advice`, when the kind has one, says in Vietnamese what to do
    next whatever the message. The CLI prints both and exits 1.
    """

    advice: ClassVar[str] = ""


class TransientError(NewsdeskError, ConnectionError):
    """Try again later; `retry_after` (seconds) says when, if the peer told us."""

    advice = "Dịch vụ bên ngoài tạm thời không trả lời: hãy thử lại sau ít phút."

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthError(NewsdeskError):
    """Credentials are missing, expired or refused: refresh or re-authorise."""

    advice = "Quyền truy cập chưa có, đã hết hạn hoặc bị từ chối: hãy cấp quyền lại."


class RejectedError(NewsdeskError, ValueError):
    """Permanent for this payload: record it and tell a person."""


class OutcomeUnknownError(NewsdeskError, TimeoutError):
    """An irreversible call may or may not have happened: reconcile before any retry."""

    advice = "Chưa rõ thao tác đã có hiệu lực hay chưa: hãy kiểm tra trước khi thử lại."


class ConfigError(NewsdeskError, ValueError):
    """The configuration cannot work; the message says which setting to fix."""

    advice = "Hãy sửa cấu hình rồi chạy lại."


class IllegalTransitionError(RejectedError):
    """The submission lifecycle has no such move."""

    def __init__(self, submission_id: int, current: str, target: str) -> None:
        super().__init__(
            f"Bài #{submission_id} đang ở trạng thái «{_label(current)}», "
            f"không chuyển sang «{_label(target)}» được."
        )
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
            f"Bài #{submission_id} vừa được thay đổi trước"
            + (f" bởi {decided_by}" if decided_by else "")
            + f": nay «{_label(current_status)}» (phiên bản {current_version})."
        )
        self.submission_id = submission_id
        self.current_status = current_status
        self.current_version = current_version
        self.decided_by = decided_by


def _label(status: str) -> str:
    """A status as people read it ("missing": the submission is gone)."""
    # Imported here, not at the top: this module stays a leaf that every other one (the
    # e-mail fetch workers too) imports without pulling in the glossary and its dependencies.
    from domain.glossary import STATUS_LABELS

    return "không còn" if status == "missing" else STATUS_LABELS.get(status, status)


def _publication_label(status: str) -> str:
    """A publication status as people read it."""
    from domain.glossary import PUBLICATION_STATUS_LABELS  # a leaf module: see _label

    return PUBLICATION_STATUS_LABELS.get(status, status)


class IllegalPublicationMoveError(RejectedError):
    """The publication lifecycle has no such move (a fault of ours, never of the input)."""

    def __init__(self, publication_id: int, current: str, target: str) -> None:
        super().__init__(
            f"Lượt đăng {publication_id}: không thể chuyển từ «{_publication_label(current)}» "
            f"sang «{_publication_label(target)}»"
        )
        self.publication_id = publication_id
        self.current = current
        self.target = target
