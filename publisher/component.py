"""`serve` factory for the publisher: live against Zalo, or a dry run without credentials."""

from __future__ import annotations

import httpx

from domain.clock import Clock
from publisher.prepare import MediaContext, media_secret
from publisher.service import Deps
from publisher.tokens import TokenKeeper
from publisher.web import add_routes
from publisher.worker import PublishWorker
from publisher.zalo.client import ZaloClient
from publisher.zalo.ratelimit import MinuteBudget
from runtime.context import AppContext, Component
from settings import Settings
from storage.db import Database
from storage.files import FileStore


def make_client(
    settings: Settings, http: httpx.AsyncClient, keeper: TokenKeeper, clock: Clock
) -> ZaloClient:
    """The real client, its token coming from (and refreshed by) the keeper, paced per minute."""
    zalo = settings.zalo
    budget = None
    if zalo.rate_limit_per_minute > 0:
        budget = MinuteBudget(zalo.rate_limit_per_minute, now=lambda: clock.now().timestamp())
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


async def build_publisher(ctx: AppContext) -> tuple[Component | None, str]:
    """The publish worker plus its routes (public media, OAuth callback)."""
    settings = ctx.settings
    deps = make_deps(settings=settings, db=ctx.db, files=ctx.files, http=ctx.http, clock=ctx.clock)
    add_routes(
        ctx.web_app,
        settings=settings,
        files=ctx.files,
        secret=deps.media.secret,
        http=ctx.http,
        keeper=deps.keeper,
        clock=ctx.clock,
    )
    if deps.client is not None and not settings.web.public_base_url:
        return None, (
            "Zalo publisher OFF: set NEWSDESK_WEB__PUBLIC_BASE_URL (Zalo fetches images there)"
        )
    worker = PublishWorker(deps)
    ctx.extras["publisher"] = worker
    if deps.client is None:
        previews = settings.data_dir / "previews"
        return worker, (
            f"Zalo publisher DRY RUN (set NEWSDESK_ZALO__APP_ID and __APP_SECRET): previews in "
            f"{previews}"
        )
    return worker, f"Zalo publisher live to {settings.zalo.api_base} (OA {settings.zalo.oa_name})"
