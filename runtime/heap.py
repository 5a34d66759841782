"""Keeping the cyclic garbage collector off the objects that live as long as the process."""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then take every object alive now out of the collector's view.

    What exists once the components are built (modules, ORM metadata, pydantic models, the
    settings, the engines) lives until the process exits, yet every full collection would
    walk all of it again, for nothing, while the service reads mail. Frozen objects are still
    freed by reference counting; only a cycle among them would never be reclaimed, and these
    objects are not going anywhere. Called once by `serve` when its components are built,
    never in a loop.
    """
    gc.collect()
    gc.freeze()
