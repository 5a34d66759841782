"""What the console's pages are given: the same database, files and clock as the bot and the
CLI, kept in the aiohttp application under `DEPS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from aiohttp import web

from domain.clock import Clock
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from web.console.limits import RateLimiter

LOGIN_ATTEMPTS_PER_ADDRESS = 10  # per 15 minutes


@dataclass
class ConsoleDeps:
    """What the pages use: the same database, files and clock as the bot and the CLI."""

    db: Database
    settings: Settings
    clock: Clock
    files: FileStore | None = None
    http: httpx.AsyncClient | None = None  # for Zalo calls (removing an article)
    wake_cards: Callable[[], None] = lambda: None
    wake_outbox: Callable[[], None] = lambda: None
    wake_publisher: Callable[[], None] = lambda: None
    login_limiter: RateLimiter = field(
        default_factory=lambda: RateLimiter(LOGIN_ATTEMPTS_PER_ADDRESS, 15 * 60)
    )

    @property
    def secure_cookies(self) -> bool:
        return self.settings.web.public_base_url.lower().startswith("https://")


DEPS: web.AppKey[ConsoleDeps] = web.AppKey("console_deps")


def deps_of(request: web.Request) -> ConsoleDeps:
    """The console's dependencies from a request."""
    return request.app[DEPS]
