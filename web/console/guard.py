"""`requires(role)`: the guard on every console handler (the role, and the CSRF token of
every form)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web

from storage.logins import Role
from web.console.render import forbidden, login_needed
from web.console.security import csrf_ok, identity

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def requires(role: Role | None) -> Callable[[Handler], Handler]:
    """Guard a handler: the role (None: anyone) and, for every POST, the CSRF token."""

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            who = identity(request)
            if role is not None:
                if who is None:
                    return await login_needed(request)
                if not who.may(role):
                    return await forbidden(request)
            if request.method not in ("GET", "HEAD") and not await csrf_ok(request):
                return await forbidden(request, csrf=True)
            return await handler(request)

        guarded.required_role = role  # type: ignore[attr-defined]
        return guarded

    return wrap
