"""`setup_console(app, deps)`: adds the console's pages, static files and guards to the server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from domain.glossary import PUBLICATION_STATUS_LABELS, STATUS_LABELS, fmt_time
from domain.periods import to_local
from storage.logins import identify
from web.console import pages, registry_pages
from web.console.board import board_cells
from web.console.deps import DEPS, ConsoleDeps
from web.console.security import (
    CSRF_COOKIE,
    CSRF_KEY,
    IDENTITY_KEY,
    SECURITY_HEADERS,
    SESSION_COOKIE,
)

HERE = Path(__file__).parent


def _local(at: datetime | None, fmt: str | None = None) -> str:
    """The glossary's one format (08:30 ngày 25/11/2026) unless a short one is asked for."""
    if at is None:
        return ""
    return fmt_time(at) if fmt is None else to_local(at).strftime(fmt)


def _status(value: str) -> str:
    """A submission's or a publication's status as people read it (audit rows keep the stored
    value; the two share "published")."""
    return STATUS_LABELS.get(value) or PUBLICATION_STATUS_LABELS.get(value, value)


def setup_console(app: web.Application, deps: ConsoleDeps) -> None:
    """Routes, templates and the guard middleware on the service's one aiohttp app."""
    app[DEPS] = deps
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local"] = _local
    env.filters["status"] = _status
    env.filters["board_cells"] = board_cells
    app.middlewares.append(console_middleware)
    app.router.add_static("/static/console/", HERE / "static", name="console-static")
    for method, path, handler in [*pages.ROUTES, *registry_pages.ROUTES]:
        app.router.add_route(method, path, handler)


@web.middleware
async def console_middleware(
    request: web.Request, handler: Callable[[web.Request], object]
) -> web.StreamResponse:
    """Who is asking (session cookie), then the security headers and the CSRF cookie."""
    deps = request.app[DEPS]
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with deps.db.session() as session:
            request[IDENTITY_KEY] = await identify(
                session=session, token=token, now=deps.clock.now()
            )
    try:
        response = await handler(request)  # type: ignore[misc]
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    assert isinstance(response, web.StreamResponse)
    if not response.prepared:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]:
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        csrf = request.get(CSRF_KEY)
        if isinstance(csrf, str) and request.cookies.get(CSRF_COOKIE) != csrf:
            response.set_cookie(
                CSRF_COOKIE,
                csrf,
                httponly=True,
                samesite="Lax",  # Strict would rotate it on every link from a chat or mail
                secure=deps.secure_cookies,
                path="/",
            )
    return response
