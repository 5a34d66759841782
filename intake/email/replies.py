"""Outbound e-mail the intake sends (through the outbox): receipts and explanations.

Each function returns enqueue()'s keyword arguments; the store enqueues them in the same
transaction as the submission, so a reply exists exactly when its cause does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import glossary
from intake.email import texts
from mime.model import ParsedMessage
from outbox.store import EMAIL
from settings import DEFAULT_DEPARTMENT, DEFAULT_OA_NAME
from storage.models import Submission

Message = dict[str, Any]


def _thread(parsed: ParsedMessage) -> dict[str, str | None]:
    """In-Reply-To and References for an answer to `parsed`."""
    if not parsed.message_id:
        return {"in_reply_to": None, "references": None}
    own = f"<{parsed.message_id}>"
    chain = [f"<{r}>" for r in parsed.references if r != parsed.message_id][-10:]
    return {"in_reply_to": own, "references": " ".join([*chain, own])}


@dataclass(frozen=True)
class Signer:
    """Who signs the replies: the OA and the Department (settings), never the software."""

    oa: str = DEFAULT_OA_NAME
    department: str = DEFAULT_DEPARTMENT

    @property
    def sign_off(self) -> str:
        return glossary.sign_off(oa=self.oa, department=self.department)


def _title(parsed: ParsedMessage) -> str:
    return parsed.title or glossary.NO_TITLE


def _to(officer: str | None, unit_name: str | None) -> str:
    """The registered officer by name, else the unit as a body (never the display name)."""
    return glossary.salutation(officer=officer, unit=unit_name)


def receipt(
    *,
    parsed: ParsedMessage,
    submission: Submission,
    unit_name: str,
    attachments: int,
    officer: str | None = None,
    signer: Signer = Signer(),
) -> Message:
    """The threaded receipt with the submission's code (once per submission)."""
    body = texts.RECEIPT_BODY.format(
        salutation=_to(officer, unit_name),
        sign_off=signer.sign_off,
        unit=unit_name,
        code=submission.code,
        title=_title(parsed),
        kind=glossary.KIND_LABELS.get(str(submission.kind), str(submission.kind)),
        attachments=attachments,
    )
    return {
        "key": f"email-receipt:{submission.id}:{submission.revision}",
        "channel": EMAIL,
        "recipient": parsed.sender.address or "",
        "subject": texts.RECEIPT_SUBJECT.format(code=submission.code, title=_title(parsed)),
        "body": body,
        "submission_id": submission.id,
        **_thread(parsed),
    }


def unknown_sender(
    *,
    parsed: ParsedMessage,
    submission_id: int | None,
    hours: int,
    now: datetime,
    signer: Signer = Signer(),
) -> Message:
    """One polite explanation per sender per `hours` window (the key is the rate limit)."""
    address = parsed.sender.address or ""
    window = int(now.timestamp() // (hours * 3600))
    return {
        "key": f"email-unknown-sender:{address}:{window}",
        "channel": EMAIL,
        "recipient": address,
        "subject": texts.UNKNOWN_SENDER_SUBJECT.format(title=_title(parsed)),
        "body": texts.UNKNOWN_SENDER_BODY.format(
            title=_title(parsed), address=address, hours=hours, sign_off=signer.sign_off
        ),
        "submission_id": submission_id,
        **_thread(parsed),
    }


def too_large(
    *,
    parsed: ParsedMessage,
    key: str,
    size: int,
    limit: int,
    signer: Signer = Signer(),
) -> Message:
    """Explain the size limit and what to do instead."""
    return {
        "key": f"email-too-large:{key}",
        "channel": EMAIL,
        "recipient": parsed.sender.address or "",
        "subject": texts.TOO_LARGE_SUBJECT.format(title=_title(parsed)),
        "body": texts.TOO_LARGE_BODY.format(
            salutation=glossary.TO_UNIT,
            title=_title(parsed),
            size_mb=_mb(size),
            limit_mb=_mb(limit),
            sign_off=signer.sign_off,
        ),
        **_thread(parsed),
    }


def type_refused(
    *,
    parsed: ParsedMessage,
    submission_id: int,
    files: list[str],
    allowed: list[str],
    officer: str | None = None,
    unit_name: str | None = None,
    signer: Signer = Signer(),
) -> Message:
    """Explain which attachments were held back and which formats are accepted."""
    return {
        "key": f"email-type-refused:{submission_id}",
        "channel": EMAIL,
        "recipient": parsed.sender.address or "",
        "subject": texts.TYPE_NOT_ALLOWED_SUBJECT.format(title=_title(parsed)),
        "body": texts.TYPE_NOT_ALLOWED_BODY.format(
            salutation=_to(officer, unit_name),
            sign_off=signer.sign_off,
            title=_title(parsed),
            files="\n".join(f"- {name}" for name in files),
            allowed=", ".join(allowed),
        ),
        "submission_id": submission_id,
        **_thread(parsed),
    }


def _mb(size: int) -> str:
    megabytes = size / 1_048_576
    return (f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.2f}").replace(".", ",")
