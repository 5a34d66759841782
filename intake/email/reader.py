"""The IMAP reader component: IDLE/poll, batch fetch, parse, store, then move after commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime

from intake.email.imap import ImapConfig, ImapSession
from intake.email.model import FetchedMail, ReadMail
from intake.email.parsing import ParseWorkers, read_here
from intake.email.sink import MailSink
from storage.leases import Held

log = logging.getLogger(__name__)
Sizes = dict[int, tuple[int, datetime | None]]

# Batches fetched and parsed ahead of the one being stored.
AHEAD = 2


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
        parser: ParseWorkers | None = None,
        busy_retry_seconds: float = 10.0,
    ) -> None:
        self.config = config
        self.sink = sink
        self.max_message_bytes = max_message_bytes
        self.idle_seconds = idle_seconds
        self.poll_seconds = poll_seconds
        self.backoff_max = backoff_max
        self.batch_bytes = batch_bytes
        self.connect = connect
        # Parse worker processes (intake.email.parsing), or None: parsed in this process,
        # without a CPU budget.
        self.parser = parser
        # While another instance holds the mailbox: how often to try to take it over.
        self.busy_retry_seconds = busy_retry_seconds
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
                if await self.sweep(session) is None:
                    # Another instance reads the mailbox; take over when its lease runs out.
                    await asyncio.to_thread(halt.wait, self.busy_retry_seconds)
                else:
                    await asyncio.to_thread(
                        session.wait_for_mail, self.idle_seconds, self.poll_seconds, halt
                    )
                await asyncio.to_thread(session.refresh)
        finally:
            await asyncio.to_thread(session.close)

    async def sweep(self, session: ImapSession) -> int | None:
        """Process every message in the mailbox that is not yet recorded; move after commit.
        None when another instance holds the mailbox's lease. The parse workers run only
        during the sweep."""
        self.sweeps += 1
        name = (
            f"{self.config.host}:{self.config.port}:{self.config.username}:{self.config.mailbox}"
        )
        try:
            async with self.sink.exclusive(name) as held:
                if held is None:
                    return None
                return await self._sweep(session, held)
        finally:
            if self.parser is not None:
                await self.parser.close()

    async def _sweep(self, session: ImapSession, held: Held) -> int:
        mailbox, uidvalidity = self.config.mailbox, session.uidvalidity
        uids = await asyncio.to_thread(session.all_uids)
        done = await self.sink.processed_uids(mailbox=mailbox, uidvalidity=uidvalidity, uids=uids)
        # Committed before a crash but never moved: move now, never process again.
        await self._move(session, held, uidvalidity, sorted(done))
        todo = [u for u in uids if u not in done]
        info = await asyncio.to_thread(session.sizes, todo) if todo else {}
        batches = self.plan([u for u in todo if u in info], info)
        await self._pipeline(session, held, batches, info, uidvalidity)
        return len(todo)

    async def _move(
        self, session: ImapSession, held: Held, uidvalidity: int, uids: list[int]
    ) -> None:
        """Move committed mail out of the mailbox, only while the lease is still ours (a
        holder that was frozen and lost it leaves the moving to its successor)."""
        if not uids:
            return
        await held.confirm()
        await asyncio.to_thread(session.move_processed, uids)
        await self.sink.mark_moved(mailbox=self.config.mailbox, uidvalidity=uidvalidity, uids=uids)

    async def _pipeline(
        self,
        session: ImapSession,
        held: Held,
        batches: list[list[int]],
        info: Sizes,
        uidvalidity: int,
    ) -> None:
        """Store batch k and move it once committed, while the next AHEAD batches are
        fetched and parsed. The session runs one command at a time: fetches and moves take
        turns on it. On any error nothing more is stored; what was committed is moved by
        the next sweep."""
        turn = asyncio.Lock()
        ahead: deque[asyncio.Task[list[ReadMail]]] = deque()
        started = 0

        def top_up() -> None:
            nonlocal started
            while started < len(batches) and len(ahead) < AHEAD:
                read = self._read(session, turn, batches[started], info, uidvalidity)
                ahead.append(asyncio.ensure_future(read))
                started += 1

        top_up()
        try:
            while ahead:
                mails = await ahead.popleft()
                top_up()
                await self.sink.store(mails)
                async with turn:
                    await self._move(session, held, uidvalidity, [m.mail.uid for m in mails])
        finally:
            # Let fetches in flight finish: the session is closed only once nothing uses it.
            await asyncio.gather(*ahead, return_exceptions=True)

    async def _read(
        self,
        session: ImapSession,
        turn: asyncio.Lock,
        uids: list[int],
        info: Sizes,
        uidvalidity: int,
    ) -> list[ReadMail]:
        async with turn:
            items = await asyncio.to_thread(
                fetch_batch, session, uids, info, uidvalidity, self.max_message_bytes
            )
        if self.parser is None:
            return await asyncio.to_thread(read_here, items)
        return await self.parser.read(items)

    def plan(self, uids: list[int], info: Sizes) -> list[list[int]]:
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
        return fetch_batch(session, uids, session.sizes(uids), uidvalidity, self.max_message_bytes)


def fetch_batch(
    session: ImapSession,
    uids: list[int],
    info: Sizes,
    uidvalidity: int,
    max_message_bytes: int,
) -> list[FetchedMail]:
    """Blocking: bodies of `uids` (headers only when over `max_message_bytes`) whose sizes
    are known; UIDs gone meanwhile are absent."""
    small = [u for u in uids if u in info and info[u][0] <= max_message_bytes]
    large = [u for u in uids if u in info and info[u][0] > max_message_bytes]
    bodies, heads = session.bodies(small), session.headers(large)
    mailbox = session.config.mailbox
    items = [
        FetchedMail(mailbox, uidvalidity, uid, raw, info[uid][0], received_at=info[uid][1])
        for uid, raw in bodies.items()
    ]
    items += [
        FetchedMail(
            mailbox, uidvalidity, uid, raw, info[uid][0], truncated=True, received_at=info[uid][1]
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
