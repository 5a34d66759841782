"""Fixtures of the console tests (the harness lives in harness.py, the browser in browser.py)."""

from tests.integration.web.console.browser import browser_page, chromium, screenshots
from tests.integration.web.console.harness import make_console

__all__ = ["browser_page", "chromium", "make_console", "screenshots"]
