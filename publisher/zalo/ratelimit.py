"""Stay under Zalo's per-minute request limit instead of collecting -32 answers."""

from __future__ import annotations

import time
from collections.abc import Callable

from publisher.zalo.errors import ZaloRateLimited


class MinuteBudget:
    """At most `limit` calls per clock minute (Zalo counts per minute, per app).

    Keep the limit below Zalo's 4,000 so other tools on the same app id have room. When the
    budget is spent, or Zalo's `X-RateLimit-Remain` says 0, calls fail locally with
    ZaloRateLimited (code None) and the worker waits for the next minute, as after a -32.
    """

    def __init__(self, limit: int, *, now: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self._now = now
        self._minute = -1
        self._used = 0

    def acquire(self, operation: str) -> None:
        """Count a call in the current minute, or refuse it."""
        minute = int(self._now() // 60)
        if minute != self._minute:
            self._minute, self._used = minute, 0
        if self._used >= self.limit:
            raise ZaloRateLimited(
                None,
                "local budget for this minute is spent",
                operation=operation,
                limit=self.limit,
                remain=0,
            )
        self._used += 1

    def observe(self, remain: int | None) -> None:
        """Zalo's own count: nothing left means nothing more this minute."""
        if remain is not None and remain <= 0:
            self._minute = int(self._now() // 60)
            self._used = self.limit
