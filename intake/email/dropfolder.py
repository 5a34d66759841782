"""The drop-folder reader: .eml files (or a Maildir) under the data directory, used by
`serve` when no IMAP server is configured. Files are moved aside only after the commit.

A file that is not an e-mail at all (empty, a program, random bytes, text without mail
headers) is not stored as a submission: it moves to `rejected/` (kept for inspection), with a
log line and a notice to the editors, recorded in the outbox before the move."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from domain.mail import MailOutcome
from intake.email.model import FetchedMail
from intake.email.parsing import read_here
from intake.email.sink import MailSink
from intake.email.sniff import not_mail_reason
from storage.leases import Held

log = logging.getLogger(__name__)
DROP_MAILBOX = "drop"
_SKIP_DIRS = {"processed", "rejected", "tmp"}
BATCH_SIZE = 50  # as the IMAP reader's default batch
BATCH_BYTES = 16 * 1_048_576


def content_uid(raw: bytes) -> int:
    """A stable positive 60-bit id from the content (files have no IMAP UID)."""
    return int(hashlib.sha256(raw).hexdigest()[:15], 16)


def read_mail_file(path: Path, *, mailbox: str, max_bytes: int) -> FetchedMail:
    """A file as FetchedMail; oversize files are read up to the end of their headers."""
    size = path.stat().st_size
    received = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    if size <= max_bytes:
        raw = path.read_bytes()
        return FetchedMail(mailbox, 0, content_uid(raw), raw, size, received_at=received)
    with path.open("rb") as handle:
        head = handle.read(256 * 1024)
    end = head.find(b"\r\n\r\n")
    end = end if end >= 0 else head.find(b"\n\n")
    raw = head[: end + 2] if end >= 0 else head
    uid = content_uid(head + str(size).encode())
    return FetchedMail(mailbox, 0, uid, raw, size, truncated=True, received_at=received)


@dataclass(frozen=True)
class RejectedFile:
    """A dropped file that is not an e-mail: what the editors are told."""

    name: str
    size: int
    sha256: str
    reason: str


OnRejected = Callable[[RejectedFile], Awaitable[None]]


async def _ignore(_file: RejectedFile) -> None:
    return None


class DropFolderReader:
    """Polls a folder for mail files; each is committed, then moved to `processed/`."""

    name = "email-drop-folder"

    def __init__(
        self,
        *,
        folder: Path,
        sink: MailSink,
        max_message_bytes: int,
        poll_seconds: float = 5.0,
        batch_size: int = BATCH_SIZE,
        batch_bytes: int = BATCH_BYTES,
        on_rejected: OnRejected = _ignore,
    ) -> None:
        self.folder = folder
        self.on_rejected = on_rejected
        self.sink = sink
        self.max_message_bytes = max_message_bytes
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes

    def pending(self) -> list[Path]:
        """Mail files waiting: *.eml at the top level and Maildir new/ and cur/ entries."""
        found = [p for p in self.folder.glob("*.eml") if p.is_file()]
        for sub in ("new", "cur"):
            found += [p for p in (self.folder / sub).glob("*") if p.is_file()]
        return sorted(found)

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep, then sleep `poll_seconds`; errors are logged and retried next time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:  # a broken file or a database hiccup: retry next pass
                log.exception("drop folder pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)

    async def sweep(self) -> int:
        """Accept every pending file once, a batch at a time (memory stays flat however
        many files wait); returns how many were new. Instances sharing the folder take turns
        (a lease, as for a mailbox): 0 while another one holds it."""
        async with self.sink.exclusive(f"drop:{self.folder.resolve()}") as held:
            if held is None:
                return 0
            new = 0
            batches = file_batches(
                self.pending(),
                max_bytes=self.max_message_bytes,
                batch_size=self.batch_size,
                batch_bytes=self.batch_bytes,
            )
            for batch in batches:
                new += await self._sweep_batch(batch, held)
            return new

    async def _sweep_batch(self, paths: list[Path], held: Held) -> int:
        items = [self._read(p) for p in paths]
        mail = [(p, i) for p, i in zip(paths, items, strict=True) if not await self._refused(p, i)]
        paths, items = [p for p, _ in mail], [i for _, i in mail]
        uids = [i.uid for i in items]
        done = await self.sink.processed_uids(mailbox=DROP_MAILBOX, uidvalidity=0, uids=uids)
        new = [(p, i) for p, i in zip(paths, items, strict=True) if i.uid not in done]
        if new:
            await self.sink.store(await asyncio.to_thread(read_here, [i for _, i in new]))
        await held.confirm()  # a holder frozen past its lease leaves the files to its successor
        for path in paths:  # everything recorded, including earlier crashes, moves aside
            self._move(path)
        await self.sink.mark_moved(mailbox=DROP_MAILBOX, uidvalidity=0, uids=uids)
        return len(new)

    def _read(self, path: Path) -> FetchedMail:
        return read_mail_file(path, mailbox=DROP_MAILBOX, max_bytes=self.max_message_bytes)

    async def _refused(self, path: Path, item: FetchedMail) -> bool:
        """Not an e-mail: the editors' notice is recorded, then the file moves to rejected/."""
        reason = not_mail_reason(item.raw)
        if reason is None:
            return False
        digest = hashlib.sha256(item.raw).hexdigest()
        await self.on_rejected(RejectedFile(path.name, item.size, digest, reason))
        self._move(path, "rejected")
        log.warning(
            "drop folder: %s is not an e-mail (%s, %d bytes): moved to rejected/",
            path.name, reason, item.size,
        )  # fmt: skip
        return True

    def _move(self, path: Path, folder: str = "processed") -> None:
        target_dir = self.folder / folder
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        counter = 1
        while target.exists():
            target = target_dir / f"{path.stem}.{counter}{path.suffix}"
            counter += 1
        path.rename(target)


async def import_files(
    paths: Sequence[Path], *, sink: MailSink, max_bytes: int
) -> list[MailOutcome]:
    """Store messages exported from another client (no files are moved), in batches."""
    outcomes: list[MailOutcome] = []
    for batch in file_batches(paths, max_bytes=max_bytes):
        items = [read_mail_file(p, mailbox="import", max_bytes=max_bytes) for p in batch]
        outcomes += await sink.store(await asyncio.to_thread(read_here, items))
    return outcomes


def file_batches(
    paths: Sequence[Path],
    *,
    max_bytes: int,
    batch_size: int = BATCH_SIZE,
    batch_bytes: int = BATCH_BYTES,
) -> list[list[Path]]:
    """Consecutive groups of at most `batch_size` files and about `batch_bytes` bytes (a
    file over `max_bytes` weighs only its headers, which is all that is read of it)."""
    batches: list[list[Path]] = []
    current: list[Path] = []
    weight = 0
    for path in paths:
        try:
            size = min(path.stat().st_size, max_bytes)
        except OSError:  # gone meanwhile: reading it will say so
            size = 0
        if current and (len(current) >= batch_size or weight + size > batch_bytes):
            batches.append(current)
            current, weight = [], 0
        current.append(path)
        weight += size
    return [*batches, current] if current else batches
