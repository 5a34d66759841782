"""OAuth v4 for an OA: PKCE, the consent URL, code exchange and refresh (no database)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from publisher.zalo.errors import ZaloOAuthError, ZaloOutcomeUnknown, ZaloTransientError

# Transport failures before a byte of the request left: the refresh token was not consumed.
_NOT_SENT = {"ConnectError", "ConnectTimeout", "PoolTimeout"}


@dataclass(frozen=True)
class Pkce:
    """An RFC 7636 S256 pair: keep the verifier, send the challenge."""

    verifier: str
    challenge: str


@dataclass(frozen=True)
class TokenPair:
    """What the token endpoint returns; `expires_in` is seconds (Zalo sends a string)."""

    access_token: str
    refresh_token: str
    expires_in: int


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    """S256 challenge of a verifier: base64url without padding of SHA-256."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_pkce() -> Pkce:
    """A fresh verifier (43 characters from 32 random bytes) and its challenge."""
    verifier = _b64url(secrets.token_bytes(32))
    return Pkce(verifier=verifier, challenge=pkce_challenge(verifier))


def consent_url(
    *, oauth_base: str, app_id: str, redirect_uri: str, challenge: str, state: str
) -> str:
    """The URL an OA admin opens to grant the app access (no code_challenge_method)."""
    query = urlencode(
        {
            "app_id": app_id,
            "redirect_uri": redirect_uri,
            "code_challenge": challenge,
            "state": state,
        }
    )
    return f"{oauth_base.rstrip('/')}/v4/oa/permission?{query}"


async def exchange_code(
    http: httpx.AsyncClient,
    /,
    *,
    oauth_base: str,
    app_id: str,
    app_secret: str,
    code: str,
    verifier: str,
) -> TokenPair:
    """Trade a one-off authorisation code for the first token pair."""
    form = {
        "code": code,
        "app_id": app_id,
        "grant_type": "authorization_code",
        "code_verifier": verifier,
    }
    return await _token_call(http, oauth_base, app_secret, form, operation="exchange code")


async def refresh_tokens(
    http: httpx.AsyncClient,
    /,
    *,
    oauth_base: str,
    app_id: str,
    app_secret: str,
    refresh_token: str,
    timeout_seconds: float | None = None,
) -> TokenPair:
    """Consume the single-use refresh token and return the rotated pair.

    A connection that never opened raises ZaloTransientError (Zalo saw nothing). A failure
    after the request may have been sent (timeout, lost connection, 5xx, an unreadable answer)
    raises ZaloOutcomeUnknown: Zalo may have rotated the pair and the answer is gone.
    """
    form = {"refresh_token": refresh_token, "app_id": app_id, "grant_type": "refresh_token"}
    try:
        return await _token_call(
            http,
            oauth_base,
            app_secret,
            form,
            operation="refresh",
            timeout_seconds=timeout_seconds,
        )
    except ZaloTransientError as exc:
        if exc.message in _NOT_SENT:
            raise
        raise ZaloOutcomeUnknown(None, exc.message, operation="refresh") from None


async def _token_call(
    http: httpx.AsyncClient,
    oauth_base: str,
    app_secret: str,
    form: dict[str, str],
    *,
    operation: str,
    timeout_seconds: float | None = None,
) -> TokenPair:
    url = f"{oauth_base.rstrip('/')}/v4/oa/access_token"
    extra: dict[str, Any] = {} if timeout_seconds is None else {"timeout": timeout_seconds}
    try:
        response = await http.post(url, data=form, headers={"secret_key": app_secret}, **extra)
    except httpx.TransportError as exc:
        raise ZaloTransientError(None, type(exc).__name__, operation=operation) from None
    if response.status_code >= 500:
        raise ZaloTransientError(None, f"HTTP {response.status_code}", operation=operation)
    try:
        body = response.json()
    except ValueError:
        raise ZaloTransientError(None, "response is not JSON", operation=operation) from None
    return parse_token_response(body, operation=operation)


def parse_token_response(body: object, *, operation: str = "token") -> TokenPair:
    """Accept only a body with both tokens; anything else is an OAuth error (even on HTTP 200)."""
    if isinstance(body, dict) and body.get("access_token") and body.get("refresh_token"):
        try:
            expires_in = int(str(body.get("expires_in")))
        except ValueError:
            # Missing or odd: assume the old one-hour lifetime so we refresh early, not late.
            expires_in = 3600
        return TokenPair(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_in=expires_in,
        )
    data = body if isinstance(body, dict) else {}
    code = data.get("error")
    raise ZaloOAuthError(
        code if isinstance(code, int) else None,
        str(data.get("error_description") or data.get("error_name") or "no tokens in response"),
        operation=operation,
        error_name=str(data.get("error_name") or ""),
        error_reason=str(data.get("error_reason") or ""),
    )
