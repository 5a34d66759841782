"""Pytest fixture and PTB helpers for the fake Telegram Bot API.

Use from a test module or a conftest::

    from tests.fakes.telegram_fixture import fake_telegram, build_application, running

    async def test_x(fake_telegram):
        app = build_application(fake_telegram)
        app.add_handler(...)
        async with running(app):
            fake_telegram.inject_command(fake_telegram.user(1, "Lan"), "/start")
            await fake_telegram.wait_for_call("sendMessage")
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest_asyncio
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from tests.fakes.telegram_api import FakeTelegram

# PTB 22 warns on every RetryAfter unless opted in to timedelta durations (the later default, read
# at call time); the suite turns warnings into errors, and the app handles both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A fresh fake Bot API server per test, on 127.0.0.1 with a free port."""
    async with FakeTelegram() as fake:
        yield fake


def application_builder(fake: FakeTelegram) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An ``ApplicationBuilder`` pointed at the fake (add more options before ``build()``)."""
    return (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
    )


def build_application(fake: FakeTelegram) -> Application[Any, Any, Any, Any, Any, Any]:
    """A real PTB ``Application`` talking to the fake."""
    return application_builder(fake).build()


def build_bot(fake: FakeTelegram) -> Bot:
    """A plain ``telegram.Bot`` talking to the fake (e.g. for an outbox worker)."""
    return Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


@asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    timeout: int = 1,  # noqa: ASYNC109
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``app`` with long polling (manual lifecycle), stopping updater then app on exit."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=timeout)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
