"""The console's guards: session lookup, roles, CSRF, headers, login rate limit."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from storage.logins import Identity

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
