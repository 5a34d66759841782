"""Test peers that may be missing on a developer's machine (Dovecot, Chromium, PostgreSQL)."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip locally when a peer is missing; under CI=true fail instead (never silently skip)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing test dependency under CI: {reason}")
    pytest.skip(reason)
