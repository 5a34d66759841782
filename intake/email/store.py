"""Storing fetched mail exactly once: one transaction per batch, ProcessedMail rows included."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from domain.clock import Clock
from domain.events import event_line
from domain.mail import MailOutcome
from intake.email.batch import MailEvent, Rules, allowed_files, store_batch
from intake.email.model import FetchedMail, ReadMail
from intake.email.parsing import read_here
from intake.email.replies import Signer
from settings import DEFAULT_DEPARTMENT, DEFAULT_OA_NAME
from storage.db import Database
from storage.files import FileStore
from storage.leases import Held, holder_name, holding, release_instance
from storage.models import ProcessedMail

log = logging.getLogger(__name__)
_CHUNK = 500  # bound on IN (...) lists
_PROCESSED = (  # built once, values bound at execution (see intake/email/senders.py)
    select(ProcessedMail.uid)
    .where(col(ProcessedMail.mailbox) == bindparam("mailbox"))
    .where(col(ProcessedMail.uidvalidity) == bindparam("uidvalidity"))
    .where(col(ProcessedMail.uid).in_(bindparam("uids", expanding=True)))
)


def _source(mailbox: str) -> str:
    return {"drop": "drop-folder", "import": "import"}.get(mailbox, f"imap:{mailbox}")


@dataclass(frozen=True)
class IntakePolicy:
    """Limits and reply behaviour (from IntakeSettings)."""

    max_message_bytes: int = 25 * 1_048_576
    allowed_extensions: tuple[str, ...] = ()
    unknown_sender_reply_hours: int = 24
    oa_name: str = DEFAULT_OA_NAME  # who signs the replies (settings: zalo.oa_name)
    department: str = DEFAULT_DEPARTMENT  # settings: org.department_name
    lock_seconds: float = 30.0


@dataclass
class EmailIntake:
    """The readers' sink: everything a message causes is committed with its ProcessedMail row.

    Idempotency: ProcessedMail is unique per (mailbox, UIDVALIDITY, UID); a message seen
    before under another UID (same Message-ID and content hash) is recorded as a duplicate;
    submissions are unique per source key "email:<sha256 of the raw message>".
    """

    db: Database
    files: FileStore
    clock: Clock
    policy: IntakePolicy = field(default_factory=IntakePolicy)
    wake_outbox: Callable[[], None] = lambda: None
    holder: str = field(default_factory=lambda: holder_name(socket.gethostname()))

    @property
    def rules(self) -> Rules:
        p = self.policy
        return Rules(
            p.max_message_bytes,
            p.allowed_extensions,
            p.unknown_sender_reply_hours,
            Signer(oa=p.oa_name, department=p.department),
        )

    async def processed_uids(
        self, *, mailbox: str, uidvalidity: int, uids: Sequence[int]
    ) -> set[int]:
        """UIDs of this mailbox generation already recorded (committed)."""
        found: set[int] = set()
        async with self.db.session() as session:
            for start in range(0, len(uids), _CHUNK):
                chunk = list(uids[start : start + _CHUNK])
                params = {"mailbox": mailbox, "uidvalidity": uidvalidity, "uids": chunk}
                result = await session.exec(_PROCESSED, params=params)
                found.update(int(u) for u in result.all())
        return found

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[Held | None]:
        """One sweep of a mailbox (or drop folder) at a time across instances: a lease that
        expires (storage/leases.py); None when another instance holds it.

        The unique keys already stop double processing; the lease also stops two instances
        from both MOVE-ing the same message (which leaves two copies in the folder), and a
        frozen holder loses it after `lock_seconds` instead of stopping intake everywhere.
        """
        key = f"mail:{name}"
        if len(key) > 255:  # the column's size: a long name is kept unique by its digest
            key = "mail:" + hashlib.sha256(name.encode()).hexdigest()
        async with holding(
            self.db,
            key,
            holder=self.holder,
            ttl=timedelta(seconds=self.policy.lock_seconds),
            now=self.clock.now,
        ) as held:
            yield held

    async def release_stale(self, instance: str) -> None:
        """At start: mailbox leases this instance's previous (crashed) run still holds are let
        go, so a restart reads mail at once instead of after `lock_seconds`."""
        async with self.db.session() as session:
            if await release_instance(session=session, instance=instance, prefix="mail:"):
                log.info("released the mailbox lease of this instance's previous run")
            await session.commit()

    async def mark_moved(self, *, mailbox: str, uidvalidity: int, uids: Sequence[int]) -> None:
        """Record that these messages left the mailbox (after the move)."""
        if not uids:
            return
        async with self.db.session() as session:
            for start in range(0, len(uids), _CHUNK):
                chunk = list(uids[start : start + _CHUNK])
                stmt = (
                    update(ProcessedMail)
                    .where(col(ProcessedMail.mailbox) == mailbox)
                    .where(col(ProcessedMail.uidvalidity) == uidvalidity)
                    .where(col(ProcessedMail.uid).in_(chunk))
                    .where(col(ProcessedMail.moved) == False)  # noqa: E712
                    .values(moved=True)
                )
                await session.exec(stmt)
            await session.commit()

    async def accept_many(self, items: Sequence[FetchedMail]) -> list[MailOutcome]:
        """Parse a batch in this process (the drop folder, `intake import`), then store()."""
        return await self.store(await asyncio.to_thread(read_here, items))

    async def accept_one(self, item: FetchedMail) -> MailOutcome:
        """Parse and store one message in its own transaction."""
        return (await self.accept_many([item]))[0]

    async def store(self, mails: Sequence[ReadMail]) -> list[MailOutcome]:
        """Write each mail's raw bytes and kept attachments durably, then commit the batch
        in one transaction (a committed row never names a file that is not on disk); if
        that fails, one mail per transaction, so one bad message does not hold up the rest."""
        if not mails:
            return []
        await asyncio.to_thread(self._write_files, mails)
        try:
            outcomes = await self._commit(mails)
        except Exception:  # a rival instance, or one bad message: isolate it
            log.warning("batch of %d failed; storing one by one", len(mails), exc_info=True)
            outcomes = [await self._accept_alone(mail) for mail in mails]
        if any(outcome.is_new for outcome in outcomes):
            self.wake_outbox()
        return outcomes

    def _write_files(self, mails: Sequence[ReadMail]) -> None:
        blobs: list[tuple[bytes, str | None]] = []
        for mail in mails:
            blobs.append((mail.mail.raw, mail.sha256))
            kept, _ = allowed_files(mail.parsed, self.policy.allowed_extensions)
            blobs += [(attachment.data, attachment.sha256) for attachment in kept]
        self.files.put_many(blobs)

    async def _commit(self, mails: Sequence[ReadMail]) -> list[MailOutcome]:
        events: list[MailEvent] = []
        async with self.db.session() as session:
            outcomes = await store_batch(
                session, mails, files=self.files, rules=self.rules, now=self.clock.now(),
                events=events,
            )  # fmt: skip
            await session.commit()
        for event in events:  # after the commit: each line tells what is now true
            log.info(
                event_line(
                    f"intake.{event.outcome}", code=event.code, unit=event.unit_id,
                    channel="email", source=_source(event.mailbox),
                )
            )  # fmt: skip
        return outcomes

    async def _accept_alone(self, mail: ReadMail) -> MailOutcome:
        item = mail.mail
        try:
            return (await self._commit([mail]))[0]
        except IntegrityError:
            # Another instance recorded this (mailbox, UIDVALIDITY, UID) first.
            log.info("mail %s/%s/%s already taken", item.mailbox, item.uidvalidity, item.uid)
            return MailOutcome.DUPLICATE
        except Exception as exc:  # a message that breaks storage must not block the mailbox
            log.exception("mail %s/%s/%s not stored", item.mailbox, item.uidvalidity, item.uid)
            return await self._record_error(mail, exc)

    async def _record_error(self, mail: ReadMail, exc: Exception) -> MailOutcome:
        """Remember the failure (the raw mail is in the file store and in the folder)."""
        item = mail.mail
        try:
            async with self.db.session() as session:
                session.add(
                    ProcessedMail(
                        mailbox=item.mailbox,
                        uidvalidity=item.uidvalidity,
                        uid=item.uid,
                        message_id=mail.parsed.message_id,
                        content_hash=mail.sha256,
                        outcome=MailOutcome.ERROR,
                        error=f"{type(exc).__name__}: {exc}"[:2000],
                        processed_at=self.clock.now(),
                    )
                )
                await session.commit()
        except IntegrityError:
            return MailOutcome.DUPLICATE
        return MailOutcome.ERROR
