"""AppContext: the long-lived resources every component factory is built from.

Components talk to each other only through the wake-up calls here: a stored change (an
outbox row, an approval, a submission that needs a card) is already in the database, and the
call only spares the receiving loop the wait until its next poll. The calls exist before any
factory runs, so a factory can hand one to its component whatever the order the components
are built in; the factory that builds the receiver connects it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx
from aiohttp import web
from telegram import Bot

from domain.clock import Clock
from settings import Settings
from storage.db import Database
from storage.files import FileStore


class Component(Protocol):
    """A long-running part of `serve`; returns when `stop` is set and its work is finished."""

    name: str

    async def run(self, stop: asyncio.Event) -> None: ...


class Wakeup:
    """A call that wakes one component's loop early, usable before that component exists.

    Calling it before a receiver is connected, or when the receiver is switched off, does
    nothing: the work is in the database, and the receiver reads it when it starts.
    """

    def __init__(self) -> None:
        self._receiver: Callable[[], None] | None = None

    def connect(self, receiver: Callable[[], None]) -> None:
        """Route every later call to `receiver` (the component's own `wake`)."""
        self._receiver = receiver

    def __call__(self) -> None:
        if self._receiver is not None:
            self._receiver()


@dataclass
class AppContext:
    """What `serve` opens once and hands to every component factory."""

    settings: Settings
    db: Database
    files: FileStore
    clock: Clock
    http: httpx.AsyncClient
    web_app: web.Application
    telegram_bot: Bot | None = None  # when NEWSDESK_TELEGRAM__TOKEN is set
    # New outbox rows are committed: send them now rather than at the next poll.
    wake_outbox: Wakeup = field(default_factory=Wakeup)
    # An approval or a retry made a publication due: publish it now.
    wake_publisher: Wakeup = field(default_factory=Wakeup)
    # A submission changed: bring its review card in the editors' chat up to date.
    wake_cards: Wakeup = field(default_factory=Wakeup)


# A factory builds a component or explains (in one line) why it is switched off.
Factory = Callable[[AppContext], Awaitable[tuple[Component | None, str]]]
