"""The console's guards: session lookup, roles, CSRF, headers, login rate limit."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import wraps

from aiohttp import web

from web.console.logins import Identity, Role

SESSION_COOKIE = "nd_session"
CSRF_COOKIE = "nd_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
IDENTITY_KEY: web.RequestKey[Identity | None] = web.RequestKey("console_identity")
CSRF_KEY: web.RequestKey[str] = web.RequestKey("console_csrf", str)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RateLimiter:
    """At most ``limit`` attempts per key in a sliding ``window`` of seconds (in memory)."""

    limit: int
    window: float
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def allow(self, key: str) -> bool:
        now = self.clock()
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


def identity(request: web.Request) -> Identity | None:
    return request.get(IDENTITY_KEY)


def csrf_token(request: web.Request) -> str:
    """This browser's CSRF token (double-submit: the same value in a cookie and the form)."""
    token = request.get(CSRF_KEY)
    if not isinstance(token, str):
        cookie = request.cookies.get(CSRF_COOKIE, "")
        token = cookie if 20 <= len(cookie) <= 64 else secrets.token_urlsafe(32)
        request[CSRF_KEY] = token
    return token


async def csrf_ok(request: web.Request) -> bool:
    """A state-changing request carries the cookie's token in the form or the htmx header."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie:
        return False
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    return bool(sent) and hmac.compare_digest(sent.encode(), cookie.encode())


def requires(role: Role | None) -> Callable[[Handler], Handler]:
    """Guard a handler: the role (None: anyone) and, for every POST, the CSRF token."""

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            from web.console.pages import forbidden, login_needed

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
