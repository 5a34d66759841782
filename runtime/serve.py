"""`serve`: one asyncio process running every enabled component under a TaskGroup."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from contextlib import AsyncExitStack

import httpx
from telegram import Bot

from domain.clock import Clock, SystemClock
from domain.periods import TZ
from runtime.components import FACTORIES
from runtime.context import AppContext, Component, Factory
from runtime.heap import settle
from runtime.seed import seed_default_units
from settings import Settings
from storage.db import Database, safe_url, session_name
from storage.files import FileStore
from storage.installation import record_go_live
from web.server import create_app

log = logging.getLogger("newsdesk")


def _telegram_bot(settings: Settings) -> Bot | None:
    """The Bot API client the outbox sends with, when a token is configured."""
    if not settings.telegram.enabled:
        return None
    return Bot(
        token=settings.telegram.token.get_secret_value(),
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.base_file_url,
    )


async def build_components(
    ctx: AppContext, factories: Sequence[tuple[str, Factory]]
) -> tuple[list[Component], list[str]]:
    """Run each factory not switched off by NEWSDESK_COMPONENTS_OFF, in order; the components
    built and one start-up line per factory saying what is on, or what is off and why."""
    components: list[Component] = []
    lines: list[str] = []
    for name, factory in factories:
        if name in ctx.settings.components_off:
            lines.append(f"  [off] {name}: switched off in this process (NEWSDESK_COMPONENTS_OFF)")
            continue
        component, line = await factory(ctx)
        lines.append(("  [on]  " if component else "  [off] ") + line)
        if component is not None:
            components.append(component)
    return components, lines


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    factories: Sequence[tuple[str, Factory]] = FACTORIES,
    ready: asyncio.Event | None = None,
    settle_heap: bool = False,
) -> None:
    """Run until SIGINT/SIGTERM (or `stop`), then stop intake, finish work, close resources.

    `settle_heap` (the `serve` command sets it; tests that run several services in one
    process do not) freezes the start-up objects out of the garbage collector's view.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(
            Database(
                settings.database_url,
                echo=settings.database.echo,
                idle_transaction_seconds=settings.database.idle_transaction_seconds,
                application_name=session_name(settings.instance),
            )
        )
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=30.0))
        bot = _telegram_bot(settings)
        if bot is not None:
            await stack.enter_async_context(bot)
        ctx = AppContext(
            settings=settings,
            db=db,
            files=FileStore(settings.files_dir),
            clock=clock or SystemClock(),
            http=http,
            web_app=create_app(db),
            telegram_bot=bot,
        )
        # Temporary files of writes that a crash interrupted (the rows never named them): all
        # of them when no other process writes to the store, else those over an hour old.
        await asyncio.to_thread(ctx.files.sweep_at_start)
        imported = await seed_default_units(db, settings)
        # Before any job runs: months whose deadline came before this are "not tracked".
        live_since = await record_go_live(db, now=ctx.clock.now())
        components, lines = await build_components(ctx, factories)
        print(f"Newsdesk {settings.org.province_name}: database {safe_url(db.url)}", flush=True)
        if imported:
            print(f"  imported {imported} default units from {settings.org.units_csv}", flush=True)
        go_live = settings.schedule.go_live or f"{live_since.astimezone(TZ):%Y-%m-%d}"
        print(f"  in use since {go_live}: earlier months are not tracked", flush=True)
        print("\n".join(lines), flush=True)
        if settle_heap:
            settle()
        if ready is not None:
            ready.set()
        async with asyncio.TaskGroup() as group:
            for component in components:
                group.create_task(supervise(component, stop), name=component.name)
        log.info("stopped cleanly")


async def supervise(component: Component, stop: asyncio.Event) -> None:
    """Run a component; if it crashes, log it and start it again with backoff."""
    delay = 1.0
    while not stop.is_set():
        try:
            await component.run(stop)
            return
        except Exception:
            log.exception("component %s crashed; restarting in %.0f s", component.name, delay)
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
        except TimeoutError:
            delay = min(delay * 2, 60.0)
