"""A small reverse proxy for tests: one public address in front of several `serve` instances
(as the compose profile's proxy): each request goes to the first instance that answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from tests.support.ports import free_port


@asynccontextmanager
async def failover_proxy(upstreams: Sequence[str]) -> AsyncIterator[str]:
    """Serve on a loopback port; yield its URL. GET and HEAD only (media, health)."""

    async def forward(request: web.Request) -> web.StreamResponse:
        for base in upstreams:
            try:
                async with session.request(request.method, base + request.path_qs) as answer:
                    body = await answer.read()
                    kept = {"Content-Type": answer.headers.get("Content-Type", "")}
                    return web.Response(status=answer.status, body=body, headers=kept)
            except (aiohttp.ClientConnectionError, TimeoutError):
                continue  # that instance is down: the next one serves the same data
        return web.Response(status=502, text="no instance answers")

    timeout = aiohttp.ClientTimeout(total=5, sock_connect=1)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", forward)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()
