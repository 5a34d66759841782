"""A batch's work before its transaction: parse, hash, and write the files (light imports:
the fetch worker processes import this, never the storage layer)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

from intake.email.budget import parse_within
from intake.email.model import ParsedAttachment, ParsedMessage
from intake.email.reader import FetchedMail
from storage.files import FileBatch, FileStore


@dataclass(frozen=True)
class Prepared:
    """A parsed batch, (message, sha256 of the raw mail) per item, and the writes of its raw
    mails and files to the file store, started as each message was parsed (`files` is then
    the file store's batch, made durable by written()). The batch's transaction waits for
    written(): a committed row never points at a file that is not durably on disk."""

    entries: list[tuple[ParsedMessage, str]]
    writes: list[Future[Any]] = field(default_factory=list)
    files: FileBatch | None = None

    def written_blocking(self) -> None:
        """Wait for every write, then make them all durable (two barriers); on failure,
        the batch's temporary files are removed and the first error is raised."""
        try:
            for write in self.writes:
                write.result()
            if self.files is not None:
                self.files.commit()
        except BaseException:
            if self.files is not None:
                self.files.discard()
            raise

    def discard_blocking(self) -> None:
        """Give the batch up: wait for its writes, then remove its temporary files."""
        for write in self.writes:
            with contextlib.suppress(Exception):
                write.result()
        if self.files is not None:
            self.files.discard()

    async def written(self) -> None:
        """written_blocking() in a thread."""
        if self.writes or self.files is not None:
            await asyncio.to_thread(self.written_blocking)


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
    parse_budget: float | None = None,
) -> Prepared:
    """Blocking: parse and hash each message, and start writing its raw mail and files
    (`writers`) while the next one is parsed. Written() then makes the whole batch durable
    with two disk flushes (FileStore.begin()), not two per file; accept_prepared() waits for
    it before the batch's transaction. `parse_budget`: CPU seconds one mail may take to
    parse (intake/email/budget.py; the fetch workers set it)."""
    batch = Prepared(entries=[], files=files.begin())
    assert batch.files is not None
    for item in items:
        parsed, digest = parse_within(item.raw, parse_budget), hashlib.sha256(item.raw).hexdigest()
        batch.entries.append((parsed, digest))
        blobs = [(item.raw, digest)]
        blobs += [
            (kept.data, kept.sha256) for kept in allowed_files(parsed, allowed_extensions)[0]
        ]
        batch.writes.append(writers.submit(_add_all, batch.files, blobs))
    return batch


def _add_all(files: FileBatch, blobs: list[tuple[bytes, str]]) -> None:
    for data, digest in blobs:
        files.add(data, sha256=digest)
