"""One transaction's worth of mail: dedup, senders, submissions, replies, ProcessedMail rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.kinds import Channel, SubmissionKind
from domain.mail import MailOutcome
from domain.text import clean
from intake.accept import Incoming, IncomingFile, accept_many
from intake.email import replies
from intake.email.model import FetchedMail, ReadMail
from intake.email.revisions import revisions
from intake.email.senders import SenderUnit, resolve_senders
from mime.model import ParsedAttachment, ParsedMessage
from outbox.store import outbox_rows
from storage.audit import add_audit
from storage.files import FileStore
from storage.models import Officer, OutboxMessage, ProcessedMail, Submission, Unit
from storage.rows import Rows, insert_all


@dataclass(frozen=True)
class Rules:
    """What the batch needs to know besides the mail."""

    max_message_bytes: int
    allowed_extensions: tuple[str, ...]
    unknown_sender_reply_hours: int
    signer: replies.Signer = field(default_factory=replies.Signer)


@dataclass(frozen=True)
class MailEvent:
    """What a new message became, for the log line written after the commit."""

    outcome: MailOutcome  # stored / quarantined / revised / refused
    mailbox: str  # an IMAP folder, "drop" (the drop folder) or "import" (the CLI)
    code: str | None = None
    unit_id: int | None = None


@dataclass
class _Batch:
    outcomes: list[MailOutcome]
    submission_ids: list[int | None]
    messages: list[dict[str, Any]] = field(default_factory=list)
    events: list[MailEvent] = field(default_factory=list)


_EARLIER = select(ProcessedMail).where(  # built once: see intake/email/senders.py
    col(ProcessedMail.content_hash).in_(bindparam("digests", expanding=True))
)


_UNITS_BY_ID = select(Unit).where(col(Unit.id).in_(bindparam("ids", expanding=True)))
_OFFICERS_BY_ID = select(Officer).where(col(Officer.id).in_(bindparam("ids", expanding=True)))


def allowed_files(
    parsed: ParsedMessage, allowed_extensions: Sequence[str]
) -> tuple[list[ParsedAttachment], list[str]]:
    """Attachments of an allowed type (all when no list is set), and the names of the rest."""
    allowed = {e.lower().lstrip(".") for e in allowed_extensions}
    kept: list[ParsedAttachment] = []
    refused: list[str] = []
    for attachment in parsed.attachments:
        extension = attachment.filename.rpartition(".")[2].lower()
        if allowed and extension not in allowed:
            refused.append(attachment.filename)
        else:
            kept.append(attachment)
    return kept, refused


def split_files(
    parsed: ParsedMessage, allowed_extensions: Sequence[str], *, stored: bool = False
) -> tuple[list[IncomingFile], list[str]]:
    """Attachments kept, and names of those whose type is not allowed; `stored`: the kept
    ones are already in the file store (EmailIntake.store() wrote them)."""
    files, refused = allowed_files(parsed, allowed_extensions)
    kept = [
        IncomingFile(
            attachment.data,
            attachment.filename,
            attachment.content_type,
            sha256=attachment.sha256,
            stored=stored,
            size=attachment.size,
        )
        for attachment in files
    ]
    return kept, refused


async def store_batch(
    session: AsyncSession,
    mails: Sequence[ReadMail],
    *,
    files: FileStore,
    rules: Rules,
    now: datetime,
    events: list[MailEvent] | None = None,
) -> list[MailOutcome]:
    """Write everything the batch causes into `session` (the caller commits). The raw mail
    and the kept attachments must already be durably in `files` (EmailIntake.store() wrote
    them): rows name them without a second look. `events` receives what each new message
    became (duplicates are not events)."""
    items = [mail.mail for mail in mails]
    prepared = [(mail.parsed, mail.sha256) for mail in mails]
    batch = _Batch(
        outcomes=[MailOutcome.DUPLICATE] * len(items), submission_ids=[None] * len(items)
    )
    earlier = await _earlier_copies(session, prepared)
    senders = await _senders(session, prepared, now)
    first_of: dict[tuple[str | None, str], int] = {}
    new: list[int] = []
    for index, (item, (parsed, digest)) in enumerate(zip(items, prepared, strict=True)):
        identity = (parsed.message_id, digest)
        if identity in earlier:
            batch.outcomes[index] = MailOutcome.DUPLICATE
            batch.submission_ids[index] = earlier[identity]
        elif identity in first_of:
            batch.outcomes[index] = MailOutcome.DUPLICATE
        elif item.truncated:
            batch.outcomes[index] = _too_large(session, batch, item, parsed, digest, rules)
            batch.events.append(MailEvent(MailOutcome.REFUSED, item.mailbox))
        else:
            new.append(index)
        first_of.setdefault(identity, index)
    await _submissions(session, batch, items, prepared, new, senders, files, rules, now)
    for index, (parsed, digest) in enumerate(prepared):
        first = first_of[(parsed.message_id, digest)]
        if batch.submission_ids[index] is None and first != index:
            batch.submission_ids[index] = batch.submission_ids[first]
    records = Rows(ProcessedMail, _records(items, prepared, batch, now))
    await insert_all(session, [outbox_rows(batch.messages, now=now), records])
    if events is not None:
        events.extend(batch.events)
    return batch.outcomes


def _records(
    items: Sequence[FetchedMail],
    prepared: Sequence[tuple[ParsedMessage, str]],
    batch: _Batch,
    now: datetime,
) -> list[dict[str, Any]]:
    return [
        {
            "mailbox": item.mailbox,
            "uidvalidity": item.uidvalidity,
            "uid": item.uid,
            "message_id": parsed.message_id,
            "content_hash": digest,
            "submission_id": batch.submission_ids[index],
            "outcome": batch.outcomes[index],
            "error": None,
            "moved": False,
            "processed_at": now,
        }
        for index, (item, (parsed, digest)) in enumerate(zip(items, prepared, strict=True))
    ]


async def _earlier_copies(
    session: AsyncSession, prepared: Sequence[tuple[ParsedMessage, str]]
) -> dict[tuple[str | None, str], int | None]:
    """The same message seen before under another UID (UIDVALIDITY change, re-delivery)."""
    digests = sorted({digest for _, digest in prepared})
    result = await session.exec(_EARLIER, params={"digests": digests})
    return {(row.message_id, row.content_hash): row.submission_id for row in result.all()}


async def _senders(
    session: AsyncSession, prepared: Sequence[tuple[ParsedMessage, str]], now: datetime
) -> dict[str, SenderUnit]:
    addresses = {p.sender.address for p, _ in prepared if p.sender.address}
    known = await resolve_senders(session=session, addresses=addresses, at=now)
    unknown = SenderUnit(unit_id=None, officer_id=None)
    return {a: known.get(clean(a).lower(), unknown) for a in addresses}


def _too_large(
    session: AsyncSession,
    batch: _Batch,
    item: FetchedMail,
    parsed: ParsedMessage,
    digest: str,
    rules: Rules,
) -> MailOutcome:
    details = {
        "sender": parsed.sender.address,
        "subject": parsed.subject,
        "size": item.size,
        "limit": rules.max_message_bytes,
        "message_id": parsed.message_id,
    }
    add_audit(session=session, actor="email", action="mail_too_large", details=details)
    if parsed.sender.address and not parsed.automated:
        limit = rules.max_message_bytes
        batch.messages.append(
            replies.too_large(
                parsed=parsed, key=digest, size=item.size, limit=limit, signer=rules.signer
            )
        )
    return MailOutcome.REFUSED


async def _submissions(
    session: AsyncSession,
    batch: _Batch,
    items: Sequence[FetchedMail],
    prepared: Sequence[tuple[ParsedMessage, str]],
    new: list[int],
    senders: dict[str, SenderUnit],
    files: FileStore,
    rules: Rules,
    now: datetime,
) -> None:
    incomings, refusals = [], []
    for index in new:
        parsed, digest = prepared[index]
        who = senders.get(parsed.sender.address or "", SenderUnit(None, None))
        kept, refused = split_files(parsed, rules.allowed_extensions, stored=True)
        refusals.append(refused)
        incomings.append(_incoming(items[index], parsed, digest, who, kept, refused, now))
    revised = await revisions(session, incomings, [prepared[i][0] for i in new], files)
    fresh = [i for i, incoming in enumerate(incomings) if i not in revised]
    answered = await answered_notifications(session, [prepared[new[i]][0] for i in fresh])
    for i, code in zip(fresh, answered, strict=True):
        if code is not None:  # "Đã nhận, cảm ơn" to a receipt is rarely a new product
            warning = f"reply_to_notification: {code}"
            incomings[i] = replace(incomings[i], warnings=[*incomings[i].warnings, warning])
    created = await accept_many(
        [incomings[i] for i in fresh], session=session, files=files, actor="email"
    )
    accepted = [revised[i] if i in revised else created[fresh.index(i)] for i in range(len(new))]
    units = await _unit_names(session, {a.submission.unit_id for a in accepted})
    officers = await _officer_names(session, {a.submission.officer_id for a in accepted})
    for index, result, refused in zip(new, accepted, refusals, strict=True):
        submission, parsed = result.submission, prepared[index][0]
        assert submission.id is not None
        batch.submission_ids[index] = submission.id
        batch.outcomes[index] = (
            MailOutcome.STORED if submission.unit_id is not None else MailOutcome.QUARANTINED
        )
        if result.revision > 1 and result.created:
            batch.outcomes[index] = MailOutcome.REVISED
        if result.created:
            event = MailEvent(batch.outcomes[index], items[index].mailbox, submission.code,
                              submission.unit_id)  # fmt: skip
            batch.events.append(event)
        if not (result.created and parsed.sender.address and not parsed.automated):
            continue
        if submission.unit_id is None:
            hours = rules.unknown_sender_reply_hours
            batch.messages.append(
                replies.unknown_sender(
                    parsed=parsed,
                    submission_id=submission.id,
                    hours=hours,
                    now=now,
                    signer=rules.signer,
                )
            )
            continue
        unit_name = units.get(submission.unit_id, "")
        officer = officers.get(submission.officer_id) if submission.officer_id else None
        count = result.file_count
        batch.messages.append(
            replies.receipt(
                parsed=parsed,
                submission=submission,
                unit_name=unit_name,
                attachments=count,
                officer=officer,
                signer=rules.signer,
            )
        )
        if refused:
            allowed = list(rules.allowed_extensions)
            batch.messages.append(
                replies.type_refused(
                    parsed=parsed,
                    submission_id=submission.id,
                    files=refused,
                    allowed=allowed,
                    officer=officer,
                    unit_name=unit_name,
                    signer=rules.signer,
                )
            )


def _incoming(
    item: FetchedMail,
    parsed: ParsedMessage,
    digest: str,
    who: SenderUnit,
    kept: list[IncomingFile],
    refused: list[str],
    now: datetime,
) -> Incoming:
    warnings = list(parsed.warnings) + [f"attachment_refused: {name}" for name in refused]
    if parsed.automated:
        warnings.append("automated_message")  # kept for an editor, never answered
    return Incoming(
        channel=Channel.EMAIL,
        source_key=f"email:{digest}",
        received_at=arrival(item, now),
        sender=parsed.sender.address or "",
        sender_name=parsed.sender.name or "",
        title=parsed.title,
        text=parsed.text,
        kind=SubmissionKind(parsed.kind),
        unit_id=None if parsed.automated else who.unit_id,
        officer_id=None if parsed.automated else who.officer_id,
        files=kept,
        warnings=warnings,
        raw=item.raw,
        raw_sha256=digest,
        raw_stored=True,
        reply_to_message_id=parsed.message_id,
    )


_OUR_MAIL = re.compile(r"\.outbox-(\d+)@")  # the outbox's Message-IDs (outbox/email.py)


async def answered_notifications(
    session: AsyncSession, parsed: Sequence[ParsedMessage]
) -> list[str | None]:
    """For each message, the code of the submission whose notification (receipt, decision,
    reminder) it answers, or None: the editor is told it may not be a new product. Only a
    notification sent to the same address counts (another system's Message-IDs may look
    alike)."""
    wanted = [_outbox_ids((p.in_reply_to, *p.references)) for p in parsed]
    ids = {i for found in wanted for i in found}
    if not ids:
        return [None] * len(parsed)
    rows = await session.exec(
        select(OutboxMessage.id, OutboxMessage.recipient, Submission.code)
        .join(Submission, col(Submission.id) == col(OutboxMessage.submission_id))
        .where(col(OutboxMessage.id).in_(ids))
    )
    sent = {ident: (recipient.lower(), code) for ident, recipient, code in rows.all()}
    out: list[str | None] = []
    for message, found in zip(parsed, wanted, strict=True):
        sender = (message.sender.address or "").lower()
        matches = (sent[i][1] for i in found if i in sent and sender and sender in sent[i][0])
        out.append(next(matches, None))
    return out


def _outbox_ids(refs: Sequence[str | None]) -> list[int]:
    found = (_OUR_MAIL.search(ref) for ref in refs if ref)
    return [int(match[1]) for match in found if match]


def arrival(item: FetchedMail, now: datetime) -> datetime:
    """When the mail server received it (INTERNALDATE): mail read after downtime still counts
    for the month it arrived in. The sender's Date header is not trusted for that."""
    if item.received_at is not None and item.received_at <= now:
        return item.received_at
    return now


async def _unit_names(session: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    result = await session.exec(_UNITS_BY_ID, params={"ids": wanted})
    return {unit.id: unit.name for unit in result.all() if unit.id is not None}


async def _officer_names(session: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    """Registered officers' names: receipts greet them by name, never by the mail's display
    name (often a login like "phongvh" or a name without diacritics)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    result = await session.exec(_OFFICERS_BY_ID, params={"ids": wanted})
    return {o.id: o.full_name for o in result.all() if o.id is not None}
