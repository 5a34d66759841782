"""accept(): the one path from a parsed message (any channel) to a stored submission."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.kinds import Channel, SubmissionKind
from domain.periods import period_of
from domain.states import SubmissionStatus
from domain.text import clean, nfc
from storage.files import FileStore, StoredFile, safe_filename
from storage.models import Attachment, Submission, SubmissionRevision, utcnow
from storage.rows import Rows, fit_strings, insert_all
from storage.submissions import (
    get_revision_by_source,
    get_submission,
    next_codes,
    record_received,
    revisions_by_source,
    transition,
    transition_many,
)

log = logging.getLogger(__name__)
MEDIA_PREFIXES = {"image/": "image", "video/": "video"}


@dataclass(frozen=True)
class IncomingFile:
    """One attached file as it arrived."""

    data: bytes
    filename: str
    content_type: str = "application/octet-stream"
    caption: str = ""
    telegram_file_id: str | None = None
    sha256: str | None = None  # digest of `data`, when the channel already computed it
    stored: bool = False  # already put in the file store, durably, under `sha256`
    size: int | None = None  # the stored file's size when `data` was left out (stored only)


@dataclass(frozen=True)
class Incoming:
    """A normalised submission from any channel; unit_id None means quarantine."""

    channel: Channel
    source_key: str
    received_at: datetime
    sender: str
    title: str
    text: str
    sender_name: str = ""
    summary: str = ""
    kind: SubmissionKind = SubmissionKind.OTHER
    unit_id: int | None = None
    officer_id: int | None = None
    files: Sequence[IncomingFile] = ()
    warnings: Sequence[str] = ()
    raw: bytes | None = None
    raw_sha256: str | None = None  # digest of `raw`, when the channel already computed it
    raw_stored: bool = False  # `raw` already put in the file store, durably, under raw_sha256
    reply_to_message_id: str | None = None
    telegram_chat_id: int | None = None


@dataclass
class Accepted:
    """What accept() did: the submission, and whether this call created it."""

    submission: Submission
    created: bool
    revision: int
    files: int = 0  # attachment rows stored with this version

    @property
    def file_count(self) -> int:
        """Files stored with this version."""
        return self.files


def media_of(content_type: str) -> str:
    for prefix, media in MEDIA_PREFIXES.items():
        if content_type.startswith(prefix):
            return media
    return "document" if content_type.startswith("application/") else "other"


def put_raw(incoming: Incoming, files: FileStore) -> str | None:
    """The raw message or update into the file store; its digest (None when there is none)."""
    if incoming.raw is None:
        return None
    return _put(files, incoming.raw, "raw", incoming.raw_sha256, stored=incoming.raw_stored).sha256


def _put(
    files: FileStore,
    data: bytes,
    filename: str,
    sha256: str | None,
    *,
    stored: bool,
    size: int | None = None,
) -> StoredFile:
    """files.put(), unless the channel already stored these bytes durably (e-mail intake
    makes every file durable before its transaction): no second look at the disk, and
    `data` may then be left out (`size` says how long the stored file is)."""
    if stored and sha256:
        length = len(data) if size is None else size
        return StoredFile(sha256=sha256, size=length, filename=safe_filename(filename))
    return files.put(data, filename, sha256=sha256)


def submission_values(
    incoming: Incoming, /, *, code: str, period: str, status: SubmissionStatus, version: int = 1
) -> dict[str, Any]:
    """The Submission columns of a first version, each string storable
    (storage.rows.fit_strings()); a cut is a warning on the submission."""
    values: dict[str, Any] = {
        "code": code,
        "channel": incoming.channel,
        "kind": incoming.kind,
        "title": clean(incoming.title),
        "summary": clean(incoming.summary),
        "text": nfc(incoming.text).strip(),
        "unit_id": incoming.unit_id,
        "officer_id": incoming.officer_id,
        "sender": clean(incoming.sender),
        "sender_name": clean(incoming.sender_name),
        "received_at": incoming.received_at,
        "period": period,
        "status": status,
        "version": version,
        "warnings": [nfc(w) for w in incoming.warnings],
        "reply_to_message_id": incoming.reply_to_message_id,
        "telegram_chat_id": incoming.telegram_chat_id,
    }
    cut = fit_strings(Submission, values)
    if cut:
        values["warnings"] = [*values["warnings"], *(f"field_truncated: {c}" for c in cut)]
    return values


def new_submission(
    incoming: Incoming, /, *, code: str, period: str, status: SubmissionStatus, version: int = 1
) -> Submission:
    """The Submission row for a first version (accept())."""
    values = submission_values(incoming, code=code, period=period, status=status, version=version)
    return Submission(**values)


def attachment_values(
    item: IncomingFile, /, *, files: FileStore, submission_id: int, revision: int, position: int
) -> dict[str, Any]:
    """Put the file in the store; the Attachment columns pointing at it."""
    stored = _put(files, item.data, item.filename, item.sha256, stored=item.stored, size=item.size)
    values: dict[str, Any] = {
        "submission_id": submission_id,
        "revision": revision,
        "position": position,
        "sha256": stored.sha256,
        "filename": safe_filename(item.filename),
        "content_type": clean(item.content_type).lower() or "application/octet-stream",
        "size": stored.size,
        "media": media_of(item.content_type.lower()),
        "caption": clean(item.caption),
        "telegram_file_id": item.telegram_file_id,
    }
    for name in fit_strings(Attachment, values):
        log.warning("attachment %s of submission %s cut to its column", name, submission_id)
    return values


def new_attachment(
    item: IncomingFile, /, *, files: FileStore, submission_id: int, revision: int, position: int
) -> Attachment:
    """Put the file in the store; the Attachment row pointing at it (not yet added)."""
    return Attachment(
        **attachment_values(
            item, files=files, submission_id=submission_id, revision=revision, position=position
        )
    )


async def _store_files(
    *,
    session: AsyncSession,
    files: FileStore,
    submission_id: int,
    revision: int,
    incoming: Sequence[IncomingFile],
) -> list[Attachment]:
    rows = [
        new_attachment(
            item, files=files, submission_id=submission_id, revision=revision, position=position
        )
        for position, item in enumerate(incoming)
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def accept(
    incoming: Incoming, /, *, session: AsyncSession, files: FileStore, actor: str = "system"
) -> Accepted:
    """Store a new submission once per source_key; the caller commits (accept_many() of
    one item)."""
    return (await accept_many([incoming], session=session, files=files, actor=actor))[0]


async def accept_many(
    incoming: Sequence[Incoming],
    /,
    *,
    session: AsyncSession,
    files: FileStore,
    actor: str = "system",
) -> list[Accepted]:
    """Store a new submission per new source_key, in order, in the caller's transaction.

    Each is recorded as RECEIVED with its audit row (storage.submissions.record_received),
    then moved to PENDING_REVIEW, or QUARANTINED when no unit claims the sender, by the
    lifecycle's compare-and-set (storage.submissions.transition_many) with its audit row.
    Files (and the raw message) go to the content-addressed store first: a crash before the
    commit leaves only unreferenced files, never a submission without its files. An item
    whose source_key is already stored (or comes earlier in the batch) gets that submission
    with created=False.
    """
    keys = list(dict.fromkeys(item.source_key for item in incoming))
    earlier = await revisions_by_source(session=session, source_keys=keys)
    fresh: dict[str, Incoming] = {}
    for item in incoming:
        if item.source_key not in earlier:
            fresh.setdefault(item.source_key, item)
    created = await _create(session, files, list(fresh.values()), actor)
    old: dict[int, Submission] = {}
    for revision in earlier.values():  # mail seen before (a rebuilt mailbox): rare
        if revision.submission_id not in old:
            existing = await get_submission(session=session, submission_id=revision.submission_id)
            if existing is None:  # pragma: no cover - foreign key guarantees it
                raise LookupError(revision.submission_id)
            old[revision.submission_id] = existing
    results: list[Accepted] = []
    seen: set[str] = set()
    for item in incoming:
        key = item.source_key
        if key in created and key not in seen:
            results.append(created[key])
        elif key in created:  # a repeat of a key created earlier in this batch
            results.append(Accepted(submission=created[key].submission, created=False, revision=1))
        else:
            revision = earlier[key]
            submission = old[revision.submission_id]
            results.append(
                Accepted(submission=submission, created=False, revision=revision.revision)
            )
        seen.add(key)
    return results


async def _create(
    session: AsyncSession, files: FileStore, items: list[Incoming], actor: str
) -> dict[str, Accepted]:
    """New submissions for `items` (distinct source keys): RECEIVED, then their target. The
    revision and attachment rows go in as plain rows: a batch takes a fixed number of
    statements, whatever its size."""
    if not items:
        return {}
    raw_digests = [put_raw(item, files) for item in items]
    periods = [period_of(item.received_at) for item in items]
    codes: dict[str, list[str]] = {}
    for period in dict.fromkeys(periods):
        codes[period] = await next_codes(
            session=session, period=period, count=periods.count(period)
        )
    values = [
        submission_values(
            item, code=codes[period].pop(0), period=period, status=SubmissionStatus.RECEIVED
        )
        for item, period in zip(items, periods, strict=True)
    ]
    submissions = await record_received(session=session, values=values, actor=actor)
    now = utcnow()
    revisions: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]] = []
    for item, submission, raw_sha in zip(items, submissions, raw_digests, strict=True):
        assert submission.id is not None
        revisions.append(
            {
                "submission_id": submission.id, "revision": 1, "source_key": item.source_key,
                "title": submission.title, "text": submission.text, "raw_sha256": raw_sha,
                "received_at": item.received_at,
            }
        )  # fmt: skip
        attachments += [
            attachment_values(
                file, files=files, submission_id=submission.id, revision=1, position=position
            )
            | {"created_at": now}
            for position, file in enumerate(item.files)
        ]
    await insert_all(session, [Rows(SubmissionRevision, revisions), Rows(Attachment, attachments)])
    claimed = [item.unit_id is not None for item in items]
    moved = {
        s.id: s
        for s in await transition_many(
            session=session,
            submissions=[s for s, c in zip(submissions, claimed, strict=True) if c],
            new_status=SubmissionStatus.PENDING_REVIEW,
            actor=actor,
        )
    }
    moved |= {
        s.id: s
        for s in await transition_many(
            session=session,
            submissions=[s for s, c in zip(submissions, claimed, strict=True) if not c],
            new_status=SubmissionStatus.QUARANTINED,
            actor=actor,
            reason="người gửi chưa đăng ký",
        )
    }
    return {
        item.source_key: Accepted(
            submission=moved[submission.id], created=True, revision=1, files=len(item.files)
        )
        for item, submission in zip(items, submissions, strict=True)
    }


async def accept_revision(
    incoming: Incoming,
    /,
    *,
    session: AsyncSession,
    files: FileStore,
    submission_id: int,
    actor: str,
) -> Accepted:
    """A new version answering a change request: same code, original received time kept."""
    seen = await get_revision_by_source(session=session, source_key=incoming.source_key)
    current = await get_submission(session=session, submission_id=submission_id)
    if current is None:
        raise LookupError(submission_id)
    if seen is not None:
        return Accepted(submission=current, created=False, revision=seen.revision)
    revision = current.revision + 1
    raw_sha = put_raw(incoming, files)
    session.add(
        SubmissionRevision(
            submission_id=submission_id,
            revision=revision,
            source_key=incoming.source_key,
            title=clean(incoming.title),
            text=nfc(incoming.text).strip(),
            raw_sha256=raw_sha,
            received_at=incoming.received_at,
        )
    )
    attachments = await _store_files(
        session=session,
        files=files,
        submission_id=submission_id,
        revision=revision,
        incoming=incoming.files,
    )
    changes = {
        "revision": revision,
        "title": clean(incoming.title) or current.title,
        "text": nfc(incoming.text).strip() or current.text,
        "summary": clean(incoming.summary),
        "kind": incoming.kind.value if incoming.kind != SubmissionKind.OTHER else current.kind,
        "warnings": [nfc(w) for w in incoming.warnings],
        "decided_by": None,
        "decided_at": None,
        "decision_reason": None,
        "card_version": None,
    }
    updated = await transition(
        session=session,
        submission_id=submission_id,
        expected_status=SubmissionStatus.CHANGES_REQUESTED,
        expected_version=current.version,
        new_status=SubmissionStatus.PENDING_REVIEW,
        actor=actor,
        action="new_version",
        changes=changes,
        details={"revision": revision},
    )
    return Accepted(submission=updated, created=True, revision=revision, files=len(attachments))
