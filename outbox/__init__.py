"""Every outbound message is a row first, then sent by a worker (design invariant 4)."""

from outbox.store import EMAIL, TELEGRAM, enqueue

__all__ = ["EMAIL", "TELEGRAM", "enqueue"]
