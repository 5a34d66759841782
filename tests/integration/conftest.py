"""Fixtures shared by the integration tests of several packages."""

from tests.support.seed import clock

__all__ = ["clock"]
