"""review.after_presses: the wakes a decision owes wait until the editors' presses pause."""

from __future__ import annotations

import asyncio

from review.after_presses import AfterPresses

QUIET, LINGER = 0.3, 0.9
EARLY = 0.02  # the loop's timers may fire this much before their time


class Recorded(list[float]):
    """When the wakes ran (two per firing), and an event set by the first."""

    def __init__(self) -> None:
        super().__init__()
        self.first = asyncio.Event()

    def wake(self) -> None:
        self.append(asyncio.get_running_loop().time())
        self.first.set()


def counting() -> tuple[Recorded, AfterPresses]:
    at = Recorded()
    return at, AfterPresses([at.wake, at.wake], quiet=QUIET, linger=LINGER)


async def fired(at: Recorded) -> float:
    await asyncio.wait_for(at.first.wait(), 5)
    return at[0]


async def test_owed_wakes_run_once_presses_pause() -> None:
    at, after = counting()
    after.pressed(changed=True)
    assert after.owed
    await asyncio.sleep(0.1)
    last = asyncio.get_running_loop().time()
    after.pressed(changed=False)  # a refused press behind the deciding one
    assert await fired(at) >= last + QUIET - EARLY
    assert len(at) == 2 and not after.owed
    await asyncio.sleep(QUIET * 2)
    assert len(at) == 2  # once


async def test_presses_without_a_change_owe_nothing() -> None:
    at, after = counting()
    after.pressed(changed=False)
    after.pressed(changed=False)
    await asyncio.sleep(QUIET * 2)
    assert at == [] and not after.owed


async def test_a_stream_of_presses_delays_the_wakes_at_most_linger() -> None:
    at, after = counting()
    loop = asyncio.get_running_loop()
    start = loop.time()
    after.pressed(changed=True)
    for _ in range(100):  # a press every 50 ms, for up to 5 s
        if at.first.is_set():
            break
        await asyncio.sleep(0.05)
        after.pressed(changed=False)
    assert await fired(at) >= start + LINGER - EARLY


async def test_fire_runs_owed_wakes_at_once() -> None:
    at, after = counting()
    after.pressed(changed=True)
    after.fire()
    assert len(at) == 2
    await asyncio.sleep(QUIET * 2)
    assert len(at) == 2
