"""The IMAP reader component: IDLE/poll, batch fetch, accept, then move after commit."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from domain.errors import NewsdeskError
from intake.email.imap import ImapConfig, ImapSession

if TYPE_CHECKING:
    from intake.email.workers import FetchWorkers
    from storage.leases import Held

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


class CodeChanged(NewsdeskError, RuntimeError):
    """A fetch worker runs other code than the service (deployed without a restart)."""


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

    async def abandon(self, prepared: Any) -> None:
        """Give up a batch prepare() returned that will not be stored (the sweep failed)."""
        ...

    def exclusive(self, name: str) -> AbstractAsyncContextManager[Held | None]:
        """Hold the mailbox's lease for a sweep (None: another instance holds it)."""
        ...

    async def mark_moved(self, *, mailbox: str, uidvalidity: int, uids: Sequence[int]) -> None:
        """Record that these messages were moved out of the mailbox."""
        ...


# With fetch workers, committed mail is moved in groups of at least this many messages (or
# what is left at the end of a sweep), each move overlapping the next commits: Dovecot's
# cost is mostly per MOVE command (10 moves of 50 messages cost it 0.05 CPU-s, one of 500
# 0.02). A crash before a move loses nothing: the next sweep moves what is committed.
MOVE_AT_LEAST = 150


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
        workers: FetchWorkers | None = None,
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
        self.workers = workers  # fetch worker processes (intake.email.workers), or None
        # While another instance holds the mailbox: how often to try to take it over.
        self.busy_retry_seconds = busy_retry_seconds
        self.sweeps = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, sweep, wait for mail; repeat. Errors lead to a reconnect, not an exit."""
        halt = threading.Event()
        relay = asyncio.create_task(_relay(stop, halt))
        backoff = min(1.0, self.backoff_max)
        try:
            if self.workers is not None:
                try:  # start the workers now; one that cannot connect retries per batch
                    await asyncio.to_thread(self.workers.warm)
                except CodeChanged as exc:
                    await self._without_workers(exc)
                except Exception as exc:
                    log.warning("fetch workers not connected yet (%s)", _describe(exc))
            while not stop.is_set():
                try:
                    await self._session_loop(stop, halt)
                    backoff = min(1.0, self.backoff_max)
                except CodeChanged as exc:
                    await self._without_workers(exc)  # and sweep again at once
                except Exception as exc:  # network, protocol or storage: retry later
                    log.warning(
                        "IMAP reader error (%s); reconnecting in %.0fs", _describe(exc), backoff
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=backoff)
                    backoff = min(backoff * 2, self.backoff_max)
        finally:
            relay.cancel()
            if self.workers is not None:
                await asyncio.to_thread(self.workers.close)

    async def _without_workers(self, exc: CodeChanged) -> None:
        """Go on reading in this process: mail keeps flowing, with the code this process
        runs, until the service is restarted on the new code."""
        log.error(
            "%s; fetch workers stopped, mail is read in the service process until the service "
            "is restarted",
            exc,
        )
        workers, self.workers = self.workers, None
        if workers is not None:
            await asyncio.to_thread(workers.close)

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
        None when another instance holds the mailbox's lease."""
        self.sweeps += 1
        name = (
            f"{self.config.host}:{self.config.port}:{self.config.username}:{self.config.mailbox}"
        )
        async with self.sink.exclusive(name) as held:
            if held is None:
                return None
            return await self._sweep(session, held)

    async def _sweep(self, session: ImapSession, held: Held) -> int:
        mailbox, uidvalidity = self.config.mailbox, session.uidvalidity
        uids = await asyncio.to_thread(session.all_uids)
        done = await self.sink.processed_uids(mailbox=mailbox, uidvalidity=uidvalidity, uids=uids)
        # Committed before a crash but never moved: move now, never process again.
        await self._move(session, held, uidvalidity, sorted(done))
        todo = [u for u in uids if u not in done]
        info = await asyncio.to_thread(session.sizes, todo)
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
        info: dict[int, tuple[int, datetime | None]],
        uidvalidity: int,
    ) -> None:
        """Fetch the next batches while batch k is stored; move batch k once it is committed.

        In the service process one batch is fetched ahead (the connection runs one command
        at a time, so a move waits for the fetch in flight); with fetch workers, one batch
        per worker, each on the worker's own connection, and one more waiting, so a worker
        that finishes starts again without waiting for the service's commit. With workers
        the service's connection only moves: committed batches are moved in groups
        (MOVE_AT_LEAST messages) while the next ones are committed, and a commit never
        waits for a move.
        """
        depth = self.workers.processes + 1 if self.workers is not None else 1
        ahead: collections.deque[asyncio.Future[tuple[list[FetchedMail], Any]]] = (
            collections.deque()
        )
        started = 0

        def top_up() -> None:
            nonlocal started
            while started < len(batches) and len(ahead) < depth:
                ahead.append(self._start_fetch(session, batches[started], info, uidvalidity))
                started += 1

        def move(uids: list[int]) -> asyncio.Future[None]:
            return asyncio.ensure_future(self._move(session, held, uidvalidity, uids))

        alongside = self.workers is not None  # moves overlap the next commits
        moving: asyncio.Future[None] | None = None
        pending: list[int] = []  # committed, not yet moved
        top_up()
        try:
            while ahead:
                items, prepared = await ahead.popleft()
                if not alongside:
                    await self._move(session, held, uidvalidity, pending)
                    pending = []
                top_up()
                await self.sink.accept_prepared(items, prepared)
                pending += [i.uid for i in items]
                idle = moving is None or moving.done()
                if alongside and idle and (len(pending) >= MOVE_AT_LEAST or not ahead):
                    if moving is not None:
                        await moving  # done: raises what the move raised
                    moving, pending = move(pending), []
        except BaseException:
            if moving is not None:
                await asyncio.gather(moving, return_exceptions=True)
            if alongside and pending:  # committed: moved now rather than at the next sweep
                with contextlib.suppress(Exception):
                    await self._move(session, held, uidvalidity, pending)
            for result in await asyncio.gather(*ahead, return_exceptions=True):
                if isinstance(result, tuple):  # fetched and prepared, never to be stored
                    with contextlib.suppress(Exception):
                        await self.sink.abandon(result[1])
            raise
        if moving is not None:
            await moving
        await self._move(session, held, uidvalidity, pending)

    def _start_fetch(
        self,
        session: ImapSession,
        uids: list[int],
        info: dict[int, tuple[int, datetime | None]],
        uidvalidity: int,
    ) -> asyncio.Future[tuple[list[FetchedMail], Any]]:
        if self.workers is not None:
            done = self.workers.submit(uids, info, uidvalidity)
            return asyncio.ensure_future(_as_prepared(asyncio.wrap_future(done)))

        def work() -> tuple[list[FetchedMail], Any]:
            items = self.fetch_planned(session, uids, info, uidvalidity)
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
        return fetch_batch(session, uids, info, uidvalidity, self.max_message_bytes)


def fetch_batch(
    session: ImapSession,
    uids: list[int],
    info: dict[int, tuple[int, datetime | None]],
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


async def _as_prepared(
    done: Awaitable[tuple[list[FetchedMail], Any]],
) -> tuple[list[FetchedMail], Any]:
    from intake.email.prepare import Prepared  # prepare imports this module

    items, entries = await done
    return items, Prepared(entries=entries)  # the worker wrote the files before answering


async def _relay(stop: asyncio.Event, halt: threading.Event) -> None:
    # The IDLE thread cannot await; it watches a threading.Event mirrored from `stop`.
    await stop.wait()
    halt.set()


def _describe(exc: BaseException) -> str:
    # Exception text from imaplib never carries the password; keep it short anyway.
    return f"{type(exc).__name__}: {str(exc)[:200]}"
