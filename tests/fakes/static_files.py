"""A tiny aiohttp server on loopback serving bytes at paths (public images for the fake Zalo)."""

from __future__ import annotations

from aiohttp import web


class StaticFiles:
    """Serve `files[path] = (bytes, content type)`; everything else is 404."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.hits: list[str] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    def add(self, path: str, data: bytes, content_type: str = "image/jpeg") -> str:
        """Publish `data` at `path` and return its full URL."""
        self.files[path] = (data, content_type)
        return f"{self.url}{path}"

    async def _serve(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        found = self.files.get(request.path)
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[0], content_type=found[1])

    async def __aenter__(self) -> StaticFiles:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
