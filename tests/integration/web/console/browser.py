"""Playwright driving Debian's Chromium (never a downloaded browser), for the console tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.peers import require

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium; under CI=true its absence fails the test instead of skipping it."""
    require(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
async def browser_page(chromium: str) -> AsyncIterator[object]:
    """A fresh Chromium page (phone-sized viewport first: the console must work there)."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install playwright)")
        raise
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, headless=True)
        context = await browser.new_context(viewport={"width": 412, "height": 915}, locale="vi-VN")
        page = await context.new_page()
        errors: list[str] = []
        # Script errors and CSP refusals (a failed resource, such as a 400 page, is no error).
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.errors = errors  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            await context.close()
            await browser.close()


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each page's screenshot goes: under this test run's temporary directory."""
    folder = tmp_path_factory.getbasetemp() / "console-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
