"""The work a decision causes starts once the editors' presses pause, not between them.

An approval wakes the card sync, the outbox and the publisher. Their first steps (reading the
submission, rendering the card, composing the letter and the article) run on the event loop
that also answers the presses; when several editors press the same card, started at once
they hold up the answers to the presses queued behind the deciding one. So the wakes are
owed, and called once no press came for ``quiet`` seconds (at most ``linger`` seconds after
the first owed one). Nothing depends on them being called: each component also finds its work
in the database on its next poll, and after a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence


class AfterPresses:
    """Calls ``wakes`` once presses pause, if a press since the last call owed them."""

    def __init__(
        self, wakes: Sequence[Callable[[], None]], *, quiet: float = 0.1, linger: float = 0.5
    ) -> None:
        self.wakes = list(wakes)
        self.quiet = quiet
        self.linger = linger
        self._owed_since: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    @property
    def owed(self) -> bool:
        return self._owed_since is not None

    def pressed(self, *, changed: bool) -> None:
        """A press was handled; ``changed``: it changed a submission, so the wakes are owed.
        Any press postpones owed wakes by ``quiet`` (up to ``linger`` after the first)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if changed and self._owed_since is None:
            self._owed_since = now
        if self._owed_since is None:
            return
        if self._timer is not None:
            self._timer.cancel()
        at = min(now + self.quiet, self._owed_since + self.linger)
        self._timer = loop.call_at(at, self.fire)

    def fire(self) -> None:
        """Call the owed wakes now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._owed_since is None:
            return
        self._owed_since = None
        for wake in self.wakes:
            wake()
