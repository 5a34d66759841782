"""The login link in token alerts: a signed, expiring URL that starts `zalo login` on the server.

Only editors receive it (Telegram chat, e-mail). Opening it stores a fresh PKCE verifier and
state (as the CLI does) and redirects to Zalo's consent page; the callback finishes the login.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from publisher.prepare import media_secret
from settings import Settings

LINK_LIFETIME = timedelta(hours=24)
LOGIN_PATH = "/zalo/login"


def _signature(settings: Settings, expires: int) -> str:
    message = f"zalo-login:{expires}".encode("ascii")
    return hmac.new(media_secret(settings), message, hashlib.sha256).hexdigest()[:32]


def login_link(settings: Settings, now: datetime) -> str | None:
    """The signed link, valid for a day; None without a public base URL."""
    base = settings.web.public_base_url
    if not base:
        return None
    expires = int((now + LINK_LIFETIME).timestamp())
    return f"{base.rstrip('/')}{LOGIN_PATH}?exp={expires}&sig={_signature(settings, expires)}"


def check_login_link(settings: Settings, exp: str, sig: str, now: datetime) -> bool:
    """True for a link this server signed that has not expired."""
    if not exp.isascii() or not exp.isdigit() or len(exp) > 12:
        return False
    expires = int(exp)
    if expires < now.timestamp():
        return False
    if not sig.isascii():
        return False
    return hmac.compare_digest(_signature(settings, expires), sig)


def login_hint(settings: Settings, now: datetime) -> str:
    """What an alert tells the OA admin to do (Vietnamese)."""
    command = "chạy `python main.py zalo login` và làm theo hướng dẫn"
    link = login_link(settings, now)
    if link is None:
        return command
    return f"mở {link} (trong 24 giờ) hoặc {command}"
