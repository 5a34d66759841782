"""AppContext: the long-lived resources every component is built from."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from aiohttp import web

from domain.clock import Clock
from settings import Settings
from storage.db import Database
from storage.files import FileStore


class Component(Protocol):
    """A long-running part of `serve`; returns when `stop` is set and its work is finished."""

    name: str

    async def run(self, stop: asyncio.Event) -> None: ...


@dataclass
class AppContext:
    """What `serve` opens once and hands to every component factory."""

    settings: Settings
    db: Database
    files: FileStore
    clock: Clock
    http: httpx.AsyncClient
    web_app: web.Application
    telegram_bot: Any | None = None  # telegram.Bot when a token is configured
    wake_outbox: Callable[[], None] = lambda: None
    extras: dict[str, Any] = field(default_factory=dict)


# A factory builds a component or explains (in one line) why it is switched off.
Factory = Callable[[AppContext], Awaitable[tuple[Component | None, str]]]
