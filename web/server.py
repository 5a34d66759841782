"""One HTTP server: /healthz, /metrics; other components add their routes before start."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func
from sqlmodel import select

from storage.db import Database
from storage.models import OutboxMessage, Publication, Submission, ZaloToken

log = logging.getLogger(__name__)
DB_KEY = web.AppKey("db", Database)
MAX_BODY_BYTES = 1024 * 1024


def create_app(db: Database) -> web.Application:
    """The aiohttp application with the health and metrics routes."""
    # The only request bodies are Telegram webhook updates (a few KB each).
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[DB_KEY] = db
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def healthz(request: web.Request) -> web.Response:
    db = request.app[DB_KEY]
    try:
        await asyncio.wait_for(db.ping(), timeout=5)
    except Exception as exc:
        log.warning("health check failed: %s", type(exc).__name__)
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def _counts(db: Database) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    async with db.session() as session:
        for name, model in (
            ("submissions", Submission),
            ("outbox", OutboxMessage),
            ("publications", Publication),
        ):
            status = model.status
            rows = await session.exec(select(status, func.count()).group_by(status))
            out[name] = {str(k): int(v) for k, v in rows.all()}
    return out


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text: counts by status, read from the database (the truth)."""
    registry = CollectorRegistry()
    gauges = {
        "submissions": Gauge(
            "newsdesk_submissions", "Submissions by status", ["status"], registry=registry
        ),
        "outbox": Gauge(
            "newsdesk_outbox_messages", "Outbox messages by status", ["status"], registry=registry
        ),
        "publications": Gauge(
            "newsdesk_publications", "Publications by status", ["status"], registry=registry
        ),
    }
    up = Gauge("newsdesk_database_up", "1 when the database answers", registry=registry)
    try:
        counts = await _counts(request.app[DB_KEY])
        up.set(1)
    except Exception:
        counts = {}
        up.set(0)
    for name, by_status in counts.items():
        for status, value in by_status.items():
            gauges[name].labels(status=status).set(value)
    await _token_gauges(request.app[DB_KEY], registry)
    body = generate_latest(registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _token_gauges(db: Database, registry: CollectorRegistry) -> None:
    """The Zalo token's health: a stranded refresh must be visible without reading logs."""
    unknown = Gauge(
        "newsdesk_zalo_token_refresh_unknown",
        "1 when a Zalo token refresh's outcome is unknown (run `zalo login` if publishing stops)",
        registry=registry,
    )
    in_flight = Gauge(
        "newsdesk_zalo_token_refresh_in_flight",
        "1 while a Zalo token refresh call is in flight",
        registry=registry,
    )
    failed = Gauge(
        "newsdesk_zalo_token_error", "1 when the last Zalo token refresh failed", registry=registry
    )
    try:
        async with db.session() as session:
            row = await session.get(ZaloToken, 1)
    except Exception:
        return
    if row is not None:
        unknown.set(1 if row.refresh_unknown_at else 0)
        in_flight.set(1 if row.refresh_started_at else 0)
        failed.set(1 if row.last_error else 0)


class WebServer:
    """Runs the aiohttp app on the configured address until stop is set."""

    name = "web"

    def __init__(self, app: web.Application, *, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.bound_port: int | None = None
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(self.app, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            addresses = runner.addresses
            self.bound_port = int(addresses[0][1]) if addresses else self.port
            log.info("HTTP server on http://%s:%s", self.host, self.bound_port)
            self.ready.set()
            await stop.wait()
        finally:
            await runner.cleanup()
