"""Fixtures for e-mail integration tests: a session-wide real Dovecot."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fakes.dovecot import Dovecot, DovecotMissing, start_dovecot


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A running Dovecot (users alice/alicepw, bob/bobpw); fails under CI if missing."""
    try:
        server = start_dovecot()
    except DovecotMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()
