"""Storing fetched mail exactly once: ProcessedMail row, submission, replies, one commit."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.clock import Clock
from domain.kinds import Channel, SubmissionKind
from intake.accept import Incoming, IncomingFile, accept
from intake.email import replies
from intake.email.model import ParsedMessage
from intake.email.parse import parse_message
from intake.email.reader import FetchedMail
from intake.email.senders import resolve_sender
from storage.audit import add_audit
from storage.db import Database
from storage.files import FileStore
from storage.models import ProcessedMail, Submission, Unit

log = logging.getLogger(__name__)
_CHUNK = 500  # bound on IN (...) lists
# File writes end in fsync; a few in parallel keep the disk busy instead of the loop.
_WRITERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mail-files")


@dataclass(frozen=True)
class IntakePolicy:
    """Limits and reply behaviour (from IntakeSettings)."""

    max_message_bytes: int = 25 * 1_048_576
    allowed_extensions: tuple[str, ...] = ()
    unknown_sender_reply_hours: int = 24


@dataclass
class EmailIntake:
    """The reader's sink: everything a message causes is committed in one transaction."""

    db: Database
    files: FileStore
    clock: Clock
    policy: IntakePolicy = field(default_factory=IntakePolicy)
    wake_outbox: Callable[[], None] = lambda: None

    async def processed_uids(
        self, *, mailbox: str, uidvalidity: int, uids: Sequence[int]
    ) -> set[int]:
        """UIDs of this mailbox generation already recorded (committed)."""
        found: set[int] = set()
        async with self.db.session() as session:
            for start in range(0, len(uids), _CHUNK):
                chunk = list(uids[start : start + _CHUNK])
                result = await session.exec(
                    select(ProcessedMail.uid)
                    .where(ProcessedMail.mailbox == mailbox)
                    .where(ProcessedMail.uidvalidity == uidvalidity)
                    .where(col(ProcessedMail.uid).in_(chunk))
                )
                found.update(int(u) for u in result.all())
        return found

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        """One sweep of a mailbox at a time across instances (PostgreSQL advisory lock).

        The unique keys already stop double processing; the lock also stops two instances
        from both MOVE-ing the same message (which leaves two copies in the folder).
        """
        if not self.db.is_postgres:
            yield
            return
        digest = hashlib.sha256(f"newsdesk-mail:{name}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        async with self.db.engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            await conn.commit()
            try:
                yield
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await conn.commit()

    async def accept_many(self, items: Sequence[FetchedMail]) -> list[str]:
        """Accept a batch in one transaction (one commit); on any failure, one by one."""
        if not items:
            return []
        prepared = await asyncio.to_thread(self._prepare, items)
        try:
            async with self.db.session() as session:
                outcomes = [
                    await self._store(session, item, parsed, digest)
                    for item, (parsed, digest) in zip(items, prepared, strict=True)
                ]
                await session.commit()
        except Exception:  # a rival instance, or one bad message: isolate it
            log.warning("batch of %d failed; storing one by one", len(items), exc_info=True)
            outcomes = [
                await self._accept_prepared(item, parsed, digest)
                for item, (parsed, digest) in zip(items, prepared, strict=True)
            ]
        if any(o in ("stored", "quarantined", "refused") for o in outcomes):
            self.wake_outbox()
        return outcomes

    async def accept_one(self, item: FetchedMail) -> str:
        """Parse and store one message in its own transaction."""
        [(parsed, digest)] = await asyncio.to_thread(self._prepare, [item])
        return await self._accept_prepared(item, parsed, digest)

    def _prepare(self, items: Sequence[FetchedMail]) -> list[tuple[ParsedMessage, str]]:
        """Blocking: parse, hash, and write the raw mail and its files to the file store
        (in parallel, fsync included) before the transaction; accept() then finds them."""
        prepared = [(parse_message(i.raw), hashlib.sha256(i.raw).hexdigest()) for i in items]
        blobs = [i.raw for i in items]
        for parsed, _ in prepared:
            blobs += [f.data for f in self._split_files(parsed)[0]]
        list(_WRITERS.map(self.files.put, blobs))
        return prepared

    async def _accept_prepared(self, item: FetchedMail, parsed: ParsedMessage, digest: str) -> str:
        try:
            async with self.db.session() as session:
                outcome = await self._store(session, item, parsed, digest)
                await session.commit()
        except IntegrityError:
            # Another instance recorded this (mailbox, UIDVALIDITY, UID) first.
            log.info("mail %s/%s/%s already taken", item.mailbox, item.uidvalidity, item.uid)
            return "duplicate"
        except Exception as exc:  # a message that breaks storage must not block the mailbox
            log.exception(
                "mail %s/%s/%s could not be stored", item.mailbox, item.uidvalidity, item.uid
            )
            return await self._record_error(item, parsed, digest, exc)
        return outcome

    async def _record_error(
        self, item: FetchedMail, parsed: ParsedMessage, digest: str, exc: Exception
    ) -> str:
        """Remember the failure (the raw mail is in the file store and the folder)."""
        try:
            async with self.db.session() as session:
                session.add(
                    ProcessedMail(
                        mailbox=item.mailbox,
                        uidvalidity=item.uidvalidity,
                        uid=item.uid,
                        message_id=parsed.message_id,
                        content_hash=digest,
                        outcome="error",
                        error=f"{type(exc).__name__}: {exc}"[:2000],
                        processed_at=self.clock.now(),
                    )
                )
                await session.commit()
        except IntegrityError:
            return "duplicate"
        return "error"

    async def _store(
        self, session: AsyncSession, item: FetchedMail, parsed: ParsedMessage, content_hash: str
    ) -> str:
        record = ProcessedMail(
            mailbox=item.mailbox,
            uidvalidity=item.uidvalidity,
            uid=item.uid,
            message_id=parsed.message_id,
            content_hash=content_hash,
            outcome="processing",
            processed_at=self.clock.now(),
        )
        session.add(record)
        await session.flush()  # takes the unique key first: a rival instance waits here
        earlier = await self._earlier_copy(session, parsed.message_id, content_hash, record.id)
        if earlier is not None:
            record.outcome, record.submission_id = "duplicate", earlier.submission_id
        elif item.truncated:
            record.outcome = await self._too_large(session, item, parsed, content_hash)
        else:
            record.outcome, record.submission_id = await self._submission(
                session, item, parsed, content_hash
            )
        session.add(record)
        return record.outcome

    async def _earlier_copy(
        self, session: AsyncSession, message_id: str | None, content_hash: str, own_id: int | None
    ) -> ProcessedMail | None:
        """The same message seen under another UID (UIDVALIDITY change, re-delivery)."""
        query = select(ProcessedMail).where(ProcessedMail.content_hash == content_hash)
        query = query.where(ProcessedMail.message_id == message_id).where(
            col(ProcessedMail.id) != own_id
        )
        return (await session.exec(query.limit(1))).first()

    async def _too_large(
        self, session: AsyncSession, item: FetchedMail, parsed: ParsedMessage, content_hash: str
    ) -> str:
        add_audit(
            session=session,
            actor="email",
            action="mail_too_large",
            details={
                "sender": parsed.sender.address,
                "subject": parsed.subject,
                "size": item.size,
                "limit": self.policy.max_message_bytes,
                "message_id": parsed.message_id,
            },
        )
        if parsed.sender.address and not parsed.automated:
            await replies.enqueue_too_large(
                session=session,
                parsed=parsed,
                key=content_hash,
                size=item.size,
                limit=self.policy.max_message_bytes,
                now=self.clock.now(),
            )
        return "refused"

    async def _submission(
        self, session: AsyncSession, item: FetchedMail, parsed: ParsedMessage, content_hash: str
    ) -> tuple[str, int | None]:
        now = self.clock.now()
        who = await resolve_sender(session=session, address=parsed.sender.address, at=now)
        kept, refused = self._split_files(parsed)
        warnings = list(parsed.warnings) + [f"attachment_refused: {n}" for n in refused]
        if parsed.automated:
            warnings.append("automated_message")
        accepted = await accept(
            Incoming(
                channel=Channel.EMAIL,
                source_key=f"email:{content_hash}",
                received_at=_arrival(item, now),
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
                reply_to_message_id=parsed.message_id,
            ),
            session=session,
            files=self.files,
            actor="email",
        )
        submission = accepted.submission
        if accepted.created and parsed.sender.address and not parsed.automated:
            await self._replies(session, parsed, submission, who.unit_id, len(kept), refused, now)
        outcome = "stored" if submission.unit_id is not None else "quarantined"
        return outcome, submission.id

    async def _replies(
        self,
        session: AsyncSession,
        parsed: ParsedMessage,
        submission: Submission,
        unit_id: int | None,
        attachments: int,
        refused: list[str],
        now: datetime,
    ) -> None:
        assert submission.id is not None
        if unit_id is None:
            await replies.enqueue_unknown_sender(
                session=session,
                parsed=parsed,
                submission_id=submission.id,
                hours=self.policy.unknown_sender_reply_hours,
                now=now,
            )
            return
        unit = await session.get(Unit, unit_id)
        await replies.enqueue_receipt(
            session=session,
            parsed=parsed,
            submission=submission,
            unit_name=unit.name if unit else "",
            attachments=attachments,
            now=now,
        )
        if refused:
            await replies.enqueue_type_refused(
                session=session,
                parsed=parsed,
                submission_id=submission.id,
                files=refused,
                allowed=list(self.policy.allowed_extensions),
                now=now,
            )

    def _split_files(self, parsed: ParsedMessage) -> tuple[list[IncomingFile], list[str]]:
        allowed = {e.lower().lstrip(".") for e in self.policy.allowed_extensions}
        kept: list[IncomingFile] = []
        refused: list[str] = []
        for attachment in parsed.attachments:
            extension = attachment.filename.rpartition(".")[2].lower()
            if allowed and extension not in allowed:
                refused.append(attachment.filename)
                continue
            kept.append(
                IncomingFile(
                    data=attachment.data,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                )
            )
        return kept, refused


def _arrival(item: FetchedMail, now: datetime) -> datetime:
    """When the mail server received it (INTERNALDATE): mail read after downtime still counts
    for the month it arrived in. The sender's Date header is not trusted for that."""
    if item.received_at is not None and item.received_at <= now:
        return item.received_at
    return now
