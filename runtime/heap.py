"""Keeping the cyclic garbage collector off the objects that live as long as the process."""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then take every object alive now out of the collector's view.

    After start-up the process holds ~160,000 tracked objects (modules, ORM metadata,
    pydantic models, settings, engines) that live until it exits. Every full collection
    walked all of them again: in a perf profile of the e-mail reader, collection was ~9% of
    the process's CPU. Frozen objects are still freed by reference counting; only a cycle
    among them would never be reclaimed, and these objects are not going anywhere. Called
    once by `serve` when its components are built, never in a loop.
    """
    gc.collect()
    gc.freeze()
