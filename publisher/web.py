"""HTTP routes of the publisher: public media for Zalo's fetcher and the OAuth callback."""

from __future__ import annotations

import logging
from html import escape

import httpx
from aiohttp import web

from domain.clock import Clock
from domain.errors import NewsdeskError
from publisher import texts
from publisher.login import complete_login, start_login
from publisher.login_link import LOGIN_PATH, check_login_link
from publisher.media import check_media_path
from publisher.tokens import TokenKeeper
from settings import Settings
from storage.files import FileStore

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "avi": "video/x-msvideo",
}
PAGE = "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Zalo OA</title><p>{}</p>"


def add_routes(
    app: web.Application,
    *,
    settings: Settings,
    files: FileStore,
    secret: bytes,
    http: httpx.AsyncClient | None = None,
    keeper: TokenKeeper | None = None,
    clock: Clock | None = None,
) -> None:
    """Add `GET /media/{token}/{name}` and, with a keeper, `GET /zalo/callback` to `app`."""

    async def media(request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["name"]
        sha256, _, ext = name.partition(".")
        if not check_media_path(token, sha256, secret=secret) or not files.exists(sha256):
            raise web.HTTPNotFound()
        headers = {
            "Content-Type": CONTENT_TYPES.get(ext.lower(), "application/octet-stream"),
            "Cache-Control": "public, max-age=604800, immutable",
        }
        return web.FileResponse(files.path(sha256), headers=headers)

    app.router.add_get("/media/{token}/{name}", media)
    if keeper is None or http is None or clock is None:
        return
    login_http, login_keeper, login_clock = http, keeper, clock

    async def callback(request: web.Request) -> web.Response:
        code, state = request.query.get("code", ""), request.query.get("state")
        if not code:
            return _page(texts.CALLBACK_NO_CODE, status=400)
        if not state:
            return _page(texts.LOGIN_STATE_MISSING, status=400)
        try:
            await complete_login(
                settings=settings,
                http=login_http,
                keeper=login_keeper,
                code=code,
                state=state,
                now=login_clock.now(),
            )
        except NewsdeskError as exc:
            log.warning("zalo callback refused: %s", type(exc).__name__)
            return _page(texts.CALLBACK_FAILED.format(error=exc), status=400)
        return _page(texts.CALLBACK_OK)

    async def login(request: web.Request) -> web.Response:
        now = login_clock.now()
        query = request.query
        if not check_login_link(settings, query.get("exp", ""), query.get("sig", ""), now):
            return _page(texts.LOGIN_LINK_INVALID, status=403)
        try:
            url = start_login(settings, now=now)
        except NewsdeskError as exc:
            return _page(texts.CALLBACK_FAILED.format(error=exc), status=400)
        raise web.HTTPFound(url)

    app.router.add_get("/zalo/callback", callback)
    app.router.add_get(LOGIN_PATH, login)


def _page(text: str, *, status: int = 200) -> web.Response:
    return web.Response(text=PAGE.format(escape(text)), status=status, content_type="text/html")
