"""The outbox worker: claims due rows, sends them, records what happened."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from domain.clock import Clock
from domain.errors import RejectedError, TransientError
from domain.events import event_line
from outbox.store import claim_due, mark_failed, mark_sent
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)


class Sender(Protocol):
    """Delivers one outbox row on one channel, raising TransientError or RejectedError."""

    channel: str

    async def send(self, message: OutboxMessage) -> dict[str, Any]: ...


class OutboxWorker:
    """Drains the outbox for the channels it has senders for."""

    name = "outbox"

    def __init__(
        self,
        db: Database,
        senders: list[Sender],
        *,
        clock: Clock,
        poll_seconds: float = 1.0,
        batch: int = 20,
    ) -> None:
        self.db = db
        self.senders = {s.channel: s for s in senders}
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Ask the worker to look for work now (after enqueueing)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent = await self.drain_once()
            except Exception:
                log.exception("outbox pass failed; retrying shortly")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            waiters = [
                asyncio.ensure_future(stop.wait()),
                asyncio.ensure_future(self._wake.wait()),
            ]
            await asyncio.wait(waiters, timeout=self.poll_seconds, return_when="FIRST_COMPLETED")
            for waiter in waiters:
                waiter.cancel()

    async def drain_once(self) -> int:
        """One pass: claim due rows, send each, commit each outcome. Returns rows handled."""
        async with self.db.session() as session:
            rows = await claim_due(
                session=session,
                now=self.clock.now(),
                limit=self.batch,
                channels=list(self.senders),
            )
            await session.commit()
        for row in rows:
            await self._deliver(row)
        return len(rows)

    async def drain(self, *, max_passes: int = 100) -> int:
        """Send everything that is due now (tests and CLI commands)."""
        total = 0
        for _ in range(max_passes):
            handled = await self.drain_once()
            total += handled
            if not handled:
                break
        return total

    async def _deliver(self, row: OutboxMessage) -> None:
        sender = self.senders[row.channel]
        error: str | None = None
        retry_after: float | None = None
        permanent = False
        result: dict[str, Any] = {}
        try:
            result = await sender.send(row)
        except TransientError as exc:
            error, retry_after = str(exc), exc.retry_after
        except RejectedError as exc:
            error, permanent = str(exc), True
        except Exception as exc:  # a bug in a sender must not stop the others
            log.exception("outbox sender crashed on message %s", row.id)
            error = f"{type(exc).__name__}: {exc}"
        async with self.db.session() as session:
            now = self.clock.now()
            if error is None and row.id is not None:
                await mark_sent(session=session, message_id=row.id, now=now, result=result)
            else:
                log.warning("outbox message %s (%s) not sent: %s", row.id, row.channel, error)
                await mark_failed(
                    session=session,
                    message=row,
                    now=now,
                    error=error or "unknown",
                    retry_after=retry_after,
                    permanent=permanent,
                )
            await session.commit()
        if error is None:  # one line per message delivered (kind, never the recipient)
            log.info(
                event_line(
                    "outbox.sent", id=row.id, kind=row.key.partition(":")[0],
                    submission=row.submission_id, channel=row.channel,
                )
            )  # fmt: skip
