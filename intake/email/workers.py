"""Fetch workers: processes that fetch, parse and store the files of the IMAP reader's batches.

Parsing MIME is Python work that holds the GIL; in the service process it competed with the
batch transactions, the file writers and the event loop, and one core did all of it. Each
worker process has its own IMAP connection to the same mailbox: it fetches a batch with
BODY.PEEK[] (nothing changes on the server), parses it, hashes it and writes the raw mail and
every attachment to the file store, fsync included. It sends back the parsed messages without
their bytes (a few KB per message instead of the mail itself). The service process keeps what
must stay in one place: the mailbox's UIDs and sizes, the batch transactions and the moves.
The order of the guarantees is unchanged: files are on disk before the rows that name them
are committed, and the rows are committed before the mail is moved.

A worker that meets an error (the IMAP connection dropped, UIDVALIDITY changed under it)
closes its connection and raises; the reader's sweep fails, nothing of that batch is
committed or moved, and the reader reconnects with backoff as for any error. A worker process
that dies is replaced on the next batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import multiprocessing.util
import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any

from intake.email.imap import ImapConfig, ImapSession
from intake.email.memory import release_memory
from intake.email.model import ParsedMessage
from intake.email.reader import FetchedMail, fetch_batch
from intake.email.store import prepare_batch
from storage.files import FileStore

Entries = list[tuple[ParsedMessage, str]]
Info = dict[int, tuple[int, datetime | None]]


class UidValidityChanged(RuntimeError):
    """The mailbox was rebuilt between the reader's plan and the worker's fetch."""


class FetchWorkers:
    """A pool of `processes` fetch workers for one mailbox (started on first use)."""

    def __init__(
        self,
        *,
        config: ImapConfig,
        files_root: Path,
        allowed_extensions: Sequence[str] = (),
        max_message_bytes: int,
        processes: int = 2,
    ) -> None:
        if processes < 1:
            raise ValueError("a fetch worker pool needs at least one process")
        self.processes = processes
        self._init_args = (
            config,
            os.fspath(files_root),
            tuple(allowed_extensions),
            max_message_bytes,
        )
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        # forkserver: workers are forked from a small clean server process, never from the
        # service with its threads and event loop (forking those is unsafe).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return ProcessPoolExecutor(
            self.processes, mp_context=context, initializer=_init, initargs=self._init_args
        )

    def submit(
        self, uids: list[int], info: Info, uidvalidity: int
    ) -> Future[tuple[list[FetchedMail], Entries]]:
        """Fetch, parse and store one batch in a worker: (items, entries) with the bytes left
        out (FetchedMail.raw and ParsedAttachment.data are empty; their files are on disk)."""
        wanted = {uid: info[uid] for uid in uids if uid in info}
        if self._pool is None:
            self._pool = self._new_pool()
        try:
            return self._pool.submit(_work, uids, wanted, uidvalidity)
        except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(_work, uids, wanted, uidvalidity)

    def warm(self) -> None:
        """Blocking: start the workers and connect them now rather than on the first batch
        (a worker that was not reached connects on its first batch)."""
        if self._pool is None:
            self._pool = self._new_pool()
        seen: set[int] = set()
        for _ in range(5):  # each task holds its worker briefly, so the next finds another
            tasks = [self._pool.submit(_connect) for _ in range(self.processes)]
            seen.update(task.result() for task in tasks)
            if len(seen) >= self.processes:
                return

    def pids(self) -> list[int]:
        """Process ids of the running workers (for monitoring)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return sorted(processes)

    def close(self) -> None:
        """Blocking: stop the workers (each logs out of the mailbox as it exits)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# --- inside a worker process -------------------------------------------------------------

_state: dict[str, Any] = {}


def _init(config: ImapConfig, files_root: str, allowed: tuple[str, ...], max_bytes: int) -> None:
    _state.update(
        config=config,
        files=FileStore(Path(files_root)),
        allowed=allowed,
        max_bytes=max_bytes,
        writers=ThreadPoolExecutor(max_workers=4, thread_name_prefix="mail-files"),
        session=None,
    )
    # Pool workers leave through os._exit, which skips atexit; finalizers still run.
    multiprocessing.util.Finalize(None, _disconnect, exitpriority=10)


def _session() -> ImapSession:
    if _state["session"] is None:
        _state["session"] = ImapSession(_state["config"])
    session: ImapSession = _state["session"]
    return session


def _disconnect() -> None:
    session, _state["session"] = _state.get("session"), None
    if session is not None:
        session.close()


def _connect() -> int:
    """Warm-up task: log in; the worker's process id."""
    _session()
    time.sleep(0.05)
    return os.getpid()


def _work(uids: list[int], info: Info, uidvalidity: int) -> tuple[list[FetchedMail], Entries]:
    try:
        session = _session()
        session.client.noop()  # the server tells this connection about mail that arrived since
        if session.uidvalidity != uidvalidity and session.refresh() != uidvalidity:
            raise UidValidityChanged(
                f"UIDVALIDITY of {session.config.mailbox} is now {session.uidvalidity}, "
                f"not {uidvalidity}"
            )
        items = fetch_batch(session, uids, info, uidvalidity, _state["max_bytes"])
    except Exception:
        with contextlib.suppress(Exception):
            _disconnect()  # a broken connection is not reused; the next batch reconnects
        raise
    batch = prepare_batch(items, _state["files"], _state["allowed"], _state["writers"])
    for write in batch.writes:
        write.result()  # on disk, fsync'd, before the service may commit rows naming them
    out = (
        [dataclasses.replace(item, raw=b"") for item in items],
        [(_without_bytes(parsed), digest) for parsed, digest in batch.entries],
    )
    del items, batch
    release_memory()
    return out


def _without_bytes(parsed: ParsedMessage) -> ParsedMessage:
    files = tuple(dataclasses.replace(a, data=b"") for a in parsed.attachments)
    return dataclasses.replace(parsed, attachments=files)
