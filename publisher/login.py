"""`zalo login`: the consent URL with PKCE, and the code coming back (pasted or via callback).

The pending verifier and state live in a small file in the data directory for the ten minutes
the authorisation code is valid, so the CLI and the server's callback route can share them.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from domain.errors import ConfigError, RejectedError
from publisher import texts
from publisher.tokens import TokenKeeper
from publisher.zalo.oauth import consent_url, exchange_code, new_pkce
from settings import Settings

PENDING_FILE = "zalo-login.json"
PENDING_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class PendingLogin:
    """A consent in progress."""

    state: str
    verifier: str
    created_at: datetime


def _path(settings: Settings) -> Path:
    return Path(settings.data_dir) / PENDING_FILE


def start_login(settings: Settings, *, now: datetime) -> str:
    """Remember a fresh PKCE verifier and state; return the URL an OA admin must open."""
    zalo = settings.zalo
    if not zalo.redirect_uri and not settings.web.public_base_url:
        raise ConfigError(texts.LOGIN_NEEDS_CALLBACK)
    pkce, state = new_pkce(), secrets.token_urlsafe(16)
    path = _path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"state": state, "verifier": pkce.verifier, "created_at": now.isoformat()}
    path.write_text(json.dumps(record), encoding="utf-8")
    path.chmod(0o600)
    redirect = zalo.redirect_uri or f"{settings.web.public_base_url.rstrip('/')}/zalo/callback"
    return consent_url(
        oauth_base=zalo.oauth_base,
        app_id=zalo.app_id,
        redirect_uri=redirect,
        challenge=pkce.challenge,
        state=state,
    )


def parse_pasted(text: str) -> tuple[str, str | None]:
    """Accept the bare code or the whole redirected URL; return (code, state or None)."""
    text = text.strip()
    if "code=" in text:
        query = parse_qs(urlsplit(text).query or text.split("?", 1)[-1])
        code = query.get("code", [""])[0]
        state = query.get("state", [None])[0]
        return code, state
    return text, None


def state_of(url: str) -> str:
    """The `state` a consent URL carries (the CLI waits for that consent to be completed)."""
    return parse_qs(urlsplit(url).query).get("state", [""])[0]


def still_pending(settings: Settings, state: str) -> bool:
    """True while the consent with `state` waits for its code: complete_login() removes the
    pending record only once the token pair is stored, whoever completed it (the CLI with a
    pasted code, or `serve`'s /zalo/callback, before or after the CLI started waiting)."""
    try:
        record = json.loads(_path(settings).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True
    return bool(record.get("state") == state)


def load_pending(settings: Settings, *, now: datetime) -> PendingLogin:
    """The consent in progress, refusing a missing or stale one with a clear message."""
    path = _path(settings)
    if not path.exists():
        raise RejectedError(texts.LOGIN_NONE_PENDING)
    record = json.loads(path.read_text(encoding="utf-8"))
    pending = PendingLogin(
        record["state"], record["verifier"], datetime.fromisoformat(record["created_at"])
    )
    if now - pending.created_at > PENDING_LIFETIME:
        raise RejectedError(texts.LOGIN_EXPIRED)
    return pending


async def complete_login(
    *,
    settings: Settings,
    http: httpx.AsyncClient,
    keeper: TokenKeeper,
    code: str,
    state: str | None,
    now: datetime,
    require_state: bool = True,
) -> None:
    """Exchange the code with the pending verifier and store the first token pair.

    The state must match (constant-time); only the CLI, where the operator pastes a bare code
    into the session that started the login, may go without it. A matching state is used once:
    the pending record is taken before the exchange, so a replayed callback finds nothing.
    """
    pending = load_pending(settings, now=now)
    if state is None and require_state:
        raise RejectedError(texts.LOGIN_STATE_MISSING)
    if state is not None and not _same(state, pending.state):
        raise RejectedError(texts.LOGIN_STATE_MISMATCH)
    pending = _take_pending(settings, pending)
    zalo = settings.zalo
    pair = await exchange_code(
        http,
        oauth_base=zalo.oauth_base,
        app_id=zalo.app_id,
        app_secret=zalo.app_secret.get_secret_value(),
        code=code,
        verifier=pending.verifier,
    )
    await keeper.store_login(pair)


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also refuses non-ASCII input instead of raising."""
    return given.isascii() and secrets.compare_digest(given, expected)


def _take_pending(settings: Settings, seen: PendingLogin) -> PendingLogin:
    """Claim the pending record (an atomic rename): of two callbacks with one state, one wins."""
    path = _path(settings)
    taken = path.with_name(f"{PENDING_FILE}.{secrets.token_hex(8)}.taken")
    try:
        path.rename(taken)
    except FileNotFoundError:
        raise RejectedError(texts.LOGIN_NONE_PENDING) from None
    try:
        record = json.loads(taken.read_text(encoding="utf-8"))
    finally:
        taken.unlink(missing_ok=True)
    if not _same(str(record.get("state", "")), seen.state):
        raise RejectedError(texts.LOGIN_STATE_MISMATCH)  # replaced by a newer login meanwhile
    return PendingLogin(
        record["state"], record["verifier"], datetime.fromisoformat(record["created_at"])
    )
