"""runtime.context.Wakeup: made before the components, connected by the receiver's factory."""

from __future__ import annotations

from runtime.context import Wakeup


def test_a_wakeup_before_its_receiver_exists_does_nothing_then_reaches_it() -> None:
    """GIVEN a wake-up call handed out before its receiver is built WHEN it is called early
    THEN nothing happens (the work waits in the database); once connected every call reaches
    the receiver, and a later connection (a restarted component) replaces the earlier one."""
    wake = Wakeup()
    wake()  # the outbox is off, or not built yet
    calls: list[str] = []
    wake.connect(lambda: calls.append("first"))
    wake()
    wake()
    assert calls == ["first", "first"]
    wake.connect(lambda: calls.append("second"))
    wake()
    assert calls == ["first", "first", "second"]
