"""Fixtures of the console tests (the harness lives in harness.py, the browser in browser.py)."""

from integration.console.browser import browser_page, chromium, screenshots
from integration.console.harness import make_console

__all__ = ["browser_page", "chromium", "make_console", "screenshots"]
