"""Outbound e-mail the intake sends (through the outbox): receipts and explanations."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from intake.email import texts
from intake.email.model import ParsedMessage
from outbox.store import EMAIL, enqueue
from storage.models import Submission


def _thread(parsed: ParsedMessage) -> tuple[str | None, str | None]:
    """In-Reply-To and References for an answer to `parsed`."""
    if not parsed.message_id:
        return None, None
    own = f"<{parsed.message_id}>"
    chain = [f"<{r}>" for r in parsed.references if r != parsed.message_id][-10:]
    return own, " ".join([*chain, own])


def _title(parsed: ParsedMessage) -> str:
    return parsed.title or texts.NO_TITLE


async def enqueue_receipt(
    *,
    session: AsyncSession,
    parsed: ParsedMessage,
    submission: Submission,
    unit_name: str,
    attachments: int,
    now: datetime,
) -> None:
    """The threaded receipt with the submission's code (once per submission)."""
    in_reply_to, references = _thread(parsed)
    body = texts.RECEIPT_BODY.format(
        name=parsed.sender.name or texts.DEFAULT_NAME,
        unit=unit_name,
        code=submission.code,
        title=_title(parsed),
        kind=texts.KIND_LABELS.get(str(submission.kind), str(submission.kind)),
        attachments=attachments,
    )
    await enqueue(
        session=session,
        key=f"email-receipt:{submission.id}",
        channel=EMAIL,
        recipient=parsed.sender.address or "",
        subject=texts.RECEIPT_SUBJECT.format(title=_title(parsed)) + f" [{submission.code}]",
        body=body,
        in_reply_to=in_reply_to,
        references=references,
        submission_id=submission.id,
        now=now,
    )


async def enqueue_unknown_sender(
    *,
    session: AsyncSession,
    parsed: ParsedMessage,
    submission_id: int | None,
    hours: int,
    now: datetime,
) -> None:
    """One polite explanation per sender per `hours` window (the key is the rate limit)."""
    address = parsed.sender.address or ""
    window = int(now.timestamp() // (hours * 3600))
    in_reply_to, references = _thread(parsed)
    await enqueue(
        session=session,
        key=f"email-unknown-sender:{address}:{window}",
        channel=EMAIL,
        recipient=address,
        subject=texts.UNKNOWN_SENDER_SUBJECT.format(title=_title(parsed)),
        body=texts.UNKNOWN_SENDER_BODY.format(title=_title(parsed), address=address, hours=hours),
        in_reply_to=in_reply_to,
        references=references,
        submission_id=submission_id,
        now=now,
    )


async def enqueue_too_large(
    *,
    session: AsyncSession,
    parsed: ParsedMessage,
    key: str,
    size: int,
    limit: int,
    now: datetime,
) -> None:
    """Explain the size limit and what to do instead."""
    in_reply_to, references = _thread(parsed)
    await enqueue(
        session=session,
        key=f"email-too-large:{key}",
        channel=EMAIL,
        recipient=parsed.sender.address or "",
        subject=texts.TOO_LARGE_SUBJECT.format(title=_title(parsed)),
        body=texts.TOO_LARGE_BODY.format(
            name=parsed.sender.name or texts.DEFAULT_NAME,
            title=_title(parsed),
            size_mb=_mb(size),
            limit_mb=_mb(limit),
        ),
        in_reply_to=in_reply_to,
        references=references,
        now=now,
    )


async def enqueue_type_refused(
    *,
    session: AsyncSession,
    parsed: ParsedMessage,
    submission_id: int,
    files: list[str],
    allowed: list[str],
    now: datetime,
) -> None:
    """Explain which attachments were held back and which formats are accepted."""
    in_reply_to, references = _thread(parsed)
    await enqueue(
        session=session,
        key=f"email-type-refused:{submission_id}",
        channel=EMAIL,
        recipient=parsed.sender.address or "",
        subject=texts.TYPE_NOT_ALLOWED_SUBJECT.format(title=_title(parsed)),
        body=texts.TYPE_NOT_ALLOWED_BODY.format(
            name=parsed.sender.name or texts.DEFAULT_NAME,
            title=_title(parsed),
            files="\n".join(f"- {name}" for name in files),
            allowed=", ".join(allowed),
        ),
        in_reply_to=in_reply_to,
        references=references,
        submission_id=submission_id,
        now=now,
    )


def _mb(size: int) -> str:
    megabytes = size / 1_048_576
    return (f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.2f}").replace(".", ",")
