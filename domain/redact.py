"""Secrets learnt at run time (the Zalo tokens read from the database) that logs must hide.

The log filter (runtime/logs.py) scrubs these besides the configured secrets; whoever reads or
stores such a value registers it. Pure Python: a set of strings.
"""

from __future__ import annotations

MIN_LENGTH = 8
_known: set[str] = set()


def remember_secret(*values: str | None) -> None:
    """Hide these values in every log line from now on (short values are ignored)."""
    for value in values:
        if value and len(value) >= MIN_LENGTH:
            _known.add(value)


def known_secrets() -> frozenset[str]:
    """Everything registered so far."""
    return frozenset(_known)
