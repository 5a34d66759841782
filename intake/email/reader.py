"""The IMAP reader component: IDLE/poll, batch fetch, accept, then move after commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from intake.email.imap import ImapConfig, ImapSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchedMail:
    """One message handed to the sink; `truncated` means only headers were fetched."""

    mailbox: str
    uidvalidity: int
    uid: int
    raw: bytes
    size: int
    truncated: bool = False
    received_at: datetime | None = None  # the server's INTERNALDATE, aware UTC


class MailSink(Protocol):
    """Where messages go: storage with its own idempotency (see intake.email.store)."""

    async def processed_uids(
        self, *, mailbox: str, uidvalidity: int, uids: Sequence[int]
    ) -> set[int]: ...

    async def accept_many(self, items: Sequence[FetchedMail]) -> list[str]: ...

    def prepare(self, items: Sequence[FetchedMail]) -> Any:
        """Blocking work (parsing, starting file writes) done in the reader's fetch thread."""
        ...

    async def accept_prepared(self, items: Sequence[FetchedMail], prepared: Any) -> list[str]:
        """Store a batch prepare() returned (one transaction)."""
        ...

    def exclusive(self, name: str) -> AbstractAsyncContextManager[None]: ...


class ImapReader:
    """Reads the mailbox until `stop` is set; reconnects with backoff after any error."""

    name = "email-imap"

    def __init__(
        self,
        *,
        config: ImapConfig,
        sink: MailSink,
        max_message_bytes: int,
        idle_seconds: float = 300.0,
        poll_seconds: float = 60.0,
        backoff_max: float = 300.0,
        batch_bytes: int = 16 * 1_048_576,
        connect: Callable[[ImapConfig], ImapSession] = ImapSession,
    ) -> None:
        self.config = config
        self.sink = sink
        self.max_message_bytes = max_message_bytes
        self.idle_seconds = idle_seconds
        self.poll_seconds = poll_seconds
        self.backoff_max = backoff_max
        self.batch_bytes = batch_bytes
        self.connect = connect
        self.sweeps = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, sweep, wait for mail; repeat. Errors lead to a reconnect, not an exit."""
        halt = threading.Event()
        relay = asyncio.create_task(_relay(stop, halt))
        backoff = min(1.0, self.backoff_max)
        try:
            while not stop.is_set():
                try:
                    await self._session_loop(stop, halt)
                    backoff = min(1.0, self.backoff_max)
                except Exception as exc:  # network, protocol or storage: retry later
                    log.warning(
                        "IMAP reader error (%s); reconnecting in %.0fs", _describe(exc), backoff
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=backoff)
                    backoff = min(backoff * 2, self.backoff_max)
        finally:
            relay.cancel()

    async def _session_loop(self, stop: asyncio.Event, halt: threading.Event) -> None:
        session = await asyncio.to_thread(self.connect, self.config)
        try:
            while not stop.is_set():
                await self.sweep(session)
                await asyncio.to_thread(
                    session.wait_for_mail, self.idle_seconds, self.poll_seconds, halt
                )
                await asyncio.to_thread(session.refresh)
        finally:
            await asyncio.to_thread(session.close)

    async def sweep(self, session: ImapSession) -> int:
        """Process every message in the mailbox that is not yet recorded; move after commit."""
        self.sweeps += 1
        name = (
            f"{self.config.host}:{self.config.port}:{self.config.username}:{self.config.mailbox}"
        )
        async with self.sink.exclusive(name):
            return await self._sweep(session)

    async def _sweep(self, session: ImapSession) -> int:
        mailbox, uidvalidity = self.config.mailbox, session.uidvalidity
        uids = await asyncio.to_thread(session.all_uids)
        done = await self.sink.processed_uids(mailbox=mailbox, uidvalidity=uidvalidity, uids=uids)
        # Committed before a crash but never moved: move now, never process again.
        await asyncio.to_thread(session.move_processed, sorted(done))
        todo = [u for u in uids if u not in done]
        info = await asyncio.to_thread(session.sizes, todo)
        batches = self.plan([u for u in todo if u in info], info)
        await self._pipeline(session, batches, info, uidvalidity)
        return len(todo)

    async def _pipeline(
        self,
        session: ImapSession,
        batches: list[list[int]],
        info: dict[int, tuple[int, datetime | None]],
        uidvalidity: int,
    ) -> None:
        """Fetch batch k+1 while batch k is stored; move batch k once it is committed.

        The connection runs one command at a time, so a move waits for the fetch in flight.
        """
        pending: list[int] = []
        fetching = self._start_fetch(session, batches, 0, info, uidvalidity)
        for index in range(len(batches)):
            assert fetching is not None
            items, prepared = await fetching
            await asyncio.to_thread(session.move_processed, pending)
            fetching = self._start_fetch(session, batches, index + 1, info, uidvalidity)
            try:
                await self.sink.accept_prepared(items, prepared)
            except BaseException:
                if fetching is not None:
                    await asyncio.gather(fetching, return_exceptions=True)
                raise
            pending = [i.uid for i in items]
        await asyncio.to_thread(session.move_processed, pending)

    def _start_fetch(
        self,
        session: ImapSession,
        batches: list[list[int]],
        index: int,
        info: dict[int, tuple[int, datetime | None]],
        uidvalidity: int,
    ) -> asyncio.Future[tuple[list[FetchedMail], Any]] | None:
        if index >= len(batches):
            return None

        def work() -> tuple[list[FetchedMail], Any]:
            items = self.fetch_planned(session, batches[index], info, uidvalidity)
            return items, self.sink.prepare(items)

        return asyncio.ensure_future(asyncio.to_thread(work))

    def plan(
        self, uids: list[int], info: dict[int, tuple[int, datetime | None]]
    ) -> list[list[int]]:
        """Batches of at most `batch_size` messages and about `batch_bytes` bytes, so memory
        stays flat whatever the mailbox holds."""
        batches: list[list[int]] = []
        current: list[int] = []
        weight = 0
        for uid in uids:
            size = min(info[uid][0], self.max_message_bytes)
            if current and (
                len(current) >= self.config.batch_size or weight + size > self.batch_bytes
            ):
                batches.append(current)
                current, weight = [], 0
            current.append(uid)
            weight += size
        return [*batches, current] if current else batches

    def fetch(self, session: ImapSession, uids: list[int], uidvalidity: int) -> list[FetchedMail]:
        """Blocking: sizes and dates, then bodies (or only headers when oversize)."""
        return self.fetch_planned(session, uids, session.sizes(uids), uidvalidity)

    def fetch_planned(
        self,
        session: ImapSession,
        uids: list[int],
        info: dict[int, tuple[int, datetime | None]],
        uidvalidity: int,
    ) -> list[FetchedMail]:
        """Blocking: bodies of `uids` whose sizes are known (UIDs gone meanwhile are absent)."""
        small = [u for u in uids if u in info and info[u][0] <= self.max_message_bytes]
        large = [u for u in uids if u in info and info[u][0] > self.max_message_bytes]
        bodies, heads = session.bodies(small), session.headers(large)
        mailbox = self.config.mailbox
        items = [
            FetchedMail(mailbox, uidvalidity, uid, raw, info[uid][0], received_at=info[uid][1])
            for uid, raw in bodies.items()
        ]
        items += [
            FetchedMail(
                mailbox,
                uidvalidity,
                uid,
                raw,
                info[uid][0],
                truncated=True,
                received_at=info[uid][1],
            )
            for uid, raw in heads.items()
        ]
        return sorted(items, key=lambda i: i.uid)


async def _relay(stop: asyncio.Event, halt: threading.Event) -> None:
    # The IDLE thread cannot await; it watches a threading.Event mirrored from `stop`.
    await stop.wait()
    halt.set()


def _describe(exc: BaseException) -> str:
    # Exception text from imaplib never carries the password; keep it short anyway.
    return f"{type(exc).__name__}: {str(exc)[:200]}"
