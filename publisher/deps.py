"""The publisher's dependencies from the settings: the Zalo client when credentials are set,
else none, which makes every publication a dry run. Shared by `serve`, the CLI and the console."""

from __future__ import annotations

import httpx

from domain.clock import Clock
from publisher.prepare import MediaContext, media_secret
from publisher.service import Deps
from publisher.tokens import TokenKeeper
from publisher.zalo.client import ZaloClient
from publisher.zalo.ratelimit import MinuteBudget
from settings import Settings
from storage.db import Database
from storage.files import FileStore


def make_client(
    settings: Settings,
    http: httpx.AsyncClient,
    keeper: TokenKeeper,
    clock: Clock,
    *,
    per_minute: int | None = None,
) -> ZaloClient:
    """The real client, its token coming from (and refreshed by) the keeper, paced per minute
    (`per_minute`, default the publisher's `rate_limit_per_minute`)."""
    zalo = settings.zalo
    limit = zalo.rate_limit_per_minute if per_minute is None else per_minute
    budget = None
    if limit > 0:
        budget = MinuteBudget(limit, now=lambda: clock.now().timestamp())
    return ZaloClient(
        http,
        get_token=keeper.access_token,
        on_token_rejected=keeper.on_rejected,
        api_base=zalo.api_base,
        app_secret=zalo.app_secret.get_secret_value() if zalo.appsecret_proof else None,
        timeout=zalo.timeout_seconds,
        budget=budget,
    )


def make_deps(
    *, settings: Settings, db: Database, files: FileStore, http: httpx.AsyncClient, clock: Clock
) -> Deps:
    """Everything the worker and the CLI need; dry run (no client) without Zalo credentials."""
    media = MediaContext(files, settings.web.public_base_url, media_secret(settings))
    deps = Deps(db=db, settings=settings, clock=clock, media=media, instance=settings.instance)
    if settings.zalo.enabled:
        deps.keeper = TokenKeeper(db, http, settings, clock=clock)
        deps.client = make_client(settings, http, deps.keeper, clock)
    return deps
