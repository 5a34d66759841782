"""Flood control: Telegram's RetryAfter honoured, and calls to one chat spaced apart.

Telegram allows about 20 messages a minute in a group and answers 429 with a ``retry_after``
when a bot goes faster. Work waiting for its turn stays in the database (cards, outbox rows,
drafts), so waiting loses nothing.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter


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
