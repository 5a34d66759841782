"""The publisher's `serve` factory: the publish worker, live against Zalo or a dry run without
credentials, and its routes (public media, the OAuth callback)."""

from __future__ import annotations

from publisher.deps import make_deps
from publisher.web import add_routes
from publisher.worker import PublishWorker
from runtime.context import AppContext, Component


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
    ctx.wake_publisher.connect(worker.wake)
    if deps.client is None:
        previews = settings.data_dir / "previews"
        return worker, (
            f"Zalo publisher DRY RUN (set NEWSDESK_ZALO__APP_ID and __APP_SECRET): previews in "
            f"{previews}"
        )
    return worker, f"Zalo publisher live to {settings.zalo.api_base} (OA {settings.zalo.oa_name})"
