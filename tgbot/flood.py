"""Flood control: Telegram's RetryAfter honoured, and calls to one chat spaced apart.

Telegram allows about 20 messages a minute in a group and answers 429 with a ``retry_after``
when a bot goes faster. Work waiting for its turn stays in the database (cards, outbox rows,
drafts), so waiting loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

log = logging.getLogger(__name__)
T = TypeVar("T")
NETWORK_PAUSE = 2.0  # seconds before trying again while Telegram is unreachable


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is an int in PTB 22, a timedelta with PTB_TIMEDELTA: accept both."""
    value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Pacer:
    """Spaces calls to one chat at least ``interval`` seconds apart; honours RetryAfter."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def ready(self) -> None:
        """Wait until a call may go, without taking the turn (one caller: the card sync, which
        chooses its card only then, so the card shows its latest state)."""
        delay = self._next - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def wait(self) -> None:
        """Wait for this caller's turn."""
        async with self._lock:
            delay = self._next - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = time.monotonic() + self.interval

    def hold(self, seconds: float) -> None:
        """Nobody calls before ``seconds`` from now (Telegram's RetryAfter)."""
        self._next = max(self._next, time.monotonic() + seconds)

    async def call(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Call ``func`` in turn; on RetryAfter wait as told, while Telegram is unreachable
        wait a little, and try again (nothing dropped). A BadRequest is the caller's."""
        while True:
            await self.wait()
            try:
                return await func(*args)
            except RetryAfter as exc:
                log.warning("Telegram flood control: waiting %.0f s", retry_seconds(exc))
                self.hold(retry_seconds(exc))
            except NetworkError as exc:
                if isinstance(exc, BadRequest):
                    raise
                log.warning("Telegram unreachable (%s); retrying", exc.message)
                self.hold(NETWORK_PAUSE)
