"""Fixtures of the console tests (the harness lives in harness.py)."""

from integration.console.harness import make_console

__all__ = ["make_console"]
