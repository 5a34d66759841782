"""Refused presses are answered at once and written a moment later, in batches.

When several editors press the same card, one press decides and the others are refused. The
refused editors are waiting for their answer; their audit row and the update's outcome need
not hold up the presses queued behind them. So a refusal is answered, then queued here, and a
background task writes every queued refusal in one transaction: record the update's outcome
and, if that update was not finished before (a double delivery), its audit row.

Nothing is lost if the process dies first: the update is already stored without an outcome
(durable getUpdates, or the webhook), so it is replayed at start-up and refused again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.audit import add_audit
from storage.db import Database
from tgbot.outcomes import DONE
from tgbot.updates import record_new

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """One refused press: its raw update and the audit row it owes."""

    raw: dict[str, Any]
    actor: str
    action: str
    submission_id: int
    details: dict[str, Any]
    at: datetime


class RefusalLog:
    """Queue of refusals; ``run`` writes them, ``flush`` writes what is queued now."""

    def __init__(self, db: Database, *, quiet: float = 0.05, linger: float = 1.0) -> None:
        self.db = db
        self.quiet = quiet
        self.linger = linger
        self._queued: list[Refusal] = []
        self._wake = asyncio.Event()  # something is queued
        self._added = asyncio.Event()  # something was queued since the last look
        self._writing = asyncio.Lock()

    def add(self, refusal: Refusal) -> None:
        self._queued.append(refusal)
        self._wake.set()
        self._added.set()

    @property
    def pending(self) -> int:
        return len(self._queued)

    async def run(self, stop: asyncio.Event) -> None:
        """Write queued refusals once presses pause (``quiet`` s) or ``linger`` s after the
        first: the write then does not compete with the presses being answered."""
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                await self._wait(self._wake, stopping, None)
                deadline = asyncio.get_running_loop().time() + self.linger
                while not stop.is_set():
                    self._added.clear()
                    left = deadline - asyncio.get_running_loop().time()
                    if left <= 0 or not await self._wait(
                        self._added, stopping, min(self.quiet, left)
                    ):
                        break  # quiet, or lingered long enough
                if not await self.flush():
                    await asyncio.sleep(1.0)  # the database is unwell: retry shortly
        finally:
            stopping.cancel()
            await self.flush()

    @staticmethod
    async def _wait(
        event: asyncio.Event,
        stopping: asyncio.Future[Any],
        timeout: float | None,  # noqa: ASYNC109
    ) -> bool:
        """Wait for ``event`` (True), stop, or the timeout (False)."""
        waiting = asyncio.ensure_future(event.wait())
        done, _ = await asyncio.wait(
            {waiting, stopping}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        waiting.cancel()
        return waiting in done

    async def flush(self) -> bool:
        """Write every queued refusal in one transaction; False (kept queued) if that fails.

        When the batch fails, each refusal is tried alone: one that cannot be written (it
        would fail forever) is dropped from memory, its update stays stored without an
        outcome and is replayed at the next start; only when none can be written (the
        database is down) is the batch kept queued.
        """
        async with self._writing:
            self._wake.clear()
            batch, self._queued = self._queued, []
            if not batch:
                return True
            try:
                await self._write(batch)
                return True
            except Exception:
                log.warning(
                    "could not record %d refused presses at once", len(batch), exc_info=True
                )
            failed = []
            for item in batch:
                try:
                    await self._write([item])
                except Exception:
                    failed.append(item)
            if len(failed) < len(batch):
                for item in failed:  # replayed from the stored update at the next start
                    log.error("refused press %s not recorded; replayed at restart",
                              item.raw.get("update_id"))  # fmt: skip
                return True
            log.error("could not record %d refused presses; retried shortly", len(batch))
            self._queued[:0] = batch
            self._wake.set()
            return False

    async def _write(self, batch: list[Refusal]) -> None:
        async with self.db.session() as session:
            for item in batch:
                if await record_new(session=session, raw=item.raw, outcome=DONE):
                    add_audit(
                        session=session,
                        actor=item.actor,
                        action=item.action,
                        submission_id=item.submission_id,
                        details=item.details,
                        at=item.at,
                    )
            await session.commit()
