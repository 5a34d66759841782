"""A batch's work before its transaction: parse, hash, and write the files (light imports:
the fetch worker processes import this, never the storage layer)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

from intake.email.model import ParsedAttachment, ParsedMessage
from intake.email.parse import parse_message
from intake.email.reader import FetchedMail
from storage.files import FileStore


@dataclass(frozen=True)
class Prepared:
    """A parsed batch, (message, sha256 of the raw mail) per item, and the write of its raw
    mails and files to the file store, started once the batch was parsed. The batch's
    transaction waits for them (fsync included): a committed row never points at a file
    that is not on disk."""

    entries: list[tuple[ParsedMessage, str]]
    writes: list[Future[Any]] = field(default_factory=list)

    async def written(self) -> None:
        """Wait for every write; the first failure is raised."""
        for write in self.writes:
            await asyncio.wrap_future(write)


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


def prepare_batch(
    items: Sequence[FetchedMail],
    files: FileStore,
    allowed_extensions: Sequence[str],
    writers: Executor,
) -> Prepared:
    """Blocking: parse and hash each message, then start writing the batch's raw mails and
    files to the file store in one go (`writers`; put_many() makes them all durable with two
    disk flushes, not two per file); accept_prepared() waits for the write before its
    transaction, and the next batch is parsed meanwhile."""
    batch = Prepared(entries=[])
    blobs: list[tuple[bytes, str | None]] = []
    for item in items:
        parsed, digest = parse_message(item.raw), hashlib.sha256(item.raw).hexdigest()
        batch.entries.append((parsed, digest))
        blobs.append((item.raw, digest))
        blobs += [
            (kept.data, kept.sha256) for kept in allowed_files(parsed, allowed_extensions)[0]
        ]
    if blobs:
        batch.writes.append(writers.submit(files.put_many, blobs))
    return batch
