"""runtime.heap.settle: start-up objects leave the collector's view; new garbage is still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from runtime.heap import settle


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the freeze is process-wide: give the test process its collector back


def test_settle_freezes_what_is_alive_and_still_collects_new_cycles(unfrozen: None) -> None:
    before = _Node()
    settle()
    assert gc.get_freeze_count() > 10_000  # the modules and objects imported so far
    assert not any(o is before for o in gc.get_objects())  # frozen, not walked
    first, second = _Node(), _Node()
    first.other, second.other = second, first  # a cycle created after settle()
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    assert gone() is None
