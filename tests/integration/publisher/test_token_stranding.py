"""A refresh whose answer is lost strands the single-use refresh token: it is made rare and loud.

A timeout after Zalo rotated the pair, and a process killed during the call, both end with the
editors alerted at once (Telegram and e-mail, with the login link), `zalo status` and /metrics
showing it, publications waiting in their queue (never failed), and after the new login every
one published exactly once. No database transaction is held across the refresh call.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from domain.redact import known_secrets
from domain.states import PublicationStatus
from publisher.deps import make_deps
from publisher.step_common import AUTH_WAIT
from publisher.tokens import TokenKeeper
from storage.db import Database
from storage.models import Editor, ZaloToken
from tests.integration.publisher.test_cli_web import cli
from tests.integration.publisher.world import World, make_world
from tests.support.paths import ROOT
from web.server import create_app

pytestmark = pytest.mark.integration
TOKEN_PATH = "/v4/oa/access_token"
SIX_HOURS = 6 * 3600  # a short token lifetime keeps every step inside the publish window


def keeper(world: World) -> TokenKeeper:
    deps = make_deps(
        settings=world.settings, db=world.db, files=world.files, http=world.http, clock=world.clock
    )
    assert deps.keeper is not None
    return deps.keeper


async def stored(world: World) -> ZaloToken:
    async with world.db.session() as session:
        row = await session.get(ZaloToken, 1, populate_existing=True)
        assert row is not None
        return row


async def token_alerts(world: World) -> list[str]:
    return [m.key for m in await world.outbox() if m.key.startswith("zalo:")]


async def metrics(world: World) -> str:
    runner = web.AppRunner(create_app(world.db), handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        port = runner.addresses[0][1]
        return (await world.http.get(f"http://127.0.0.1:{port}/metrics")).text
    finally:
        await runner.cleanup()


async def assert_queued_then_published_once(world: World, titles: list[str]) -> None:
    """With the token dead, approved work waits (never failed); after a login, each once."""
    worker = world.fresh()
    await worker.run_once()
    waiting = [p for p in await world.publications() if p.status != PublicationStatus.PUBLISHED]
    assert waiting, "something must be waiting for the token"
    assert all(
        p.status in (PublicationStatus.QUEUED, PublicationStatus.CREATING) for p in waiting
    ), waiting
    assert all(p.attempts >= 1 and p.last_error for p in waiting)
    await world.login()  # an OA admin follows the alert's link
    world.advance(AUTH_WAIT)
    await world.fresh().run_once()
    pubs = await world.publications()
    assert [p.status for p in pubs] == [PublicationStatus.PUBLISHED] * len(titles)
    live = sorted(a["title"] for a in world.fake.live_articles())
    assert live == sorted(titles)


async def test_timeout_after_rotation_alerts_at_once_and_loses_nothing(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(
        database, tmp_path, broadcast=False, refresh_timeout_seconds=0.5
    ) as world:
        world.fake.expires_in = SIX_HOURS
        world.fake.hang_seconds = 2.0
        await world.login()
        await world.add_editor()
        first = await stored(world)
        world.advance(timedelta(hours=5))  # inside the last fifth: due
        world.fake.fail(TOKEN_PATH, "hang_after")  # Zalo rotates, the answer never comes
        await world.fresh().maintain_tokens()
        assert first.refresh_token in world.fake.used_refresh_tokens
        assert {first.access_token, first.refresh_token} <= known_secrets()  # log scrubber
        row = await stored(world)
        assert row.refresh_unknown_at == world.clock.now()
        assert row.refresh_started_at is None
        assert row.refresh_token == first.refresh_token
        assert row.last_error and "unknown" in row.last_error
        alerts = await world.outbox()
        assert {m.channel for m in alerts} == {"telegram", "email"}
        for alert in alerts:
            assert "Không rõ kết quả" in alert.body
            assert "/zalo/login?exp=" in alert.body and "python main.py zalo login" in alert.body
        assert (await keeper(world).status()).refresh_unknown_at == world.clock.now()
        code, out = await cli(world, "zalo", "status")
        assert code == 0 and "Không rõ kết quả lần làm mới" in out and "zalo login" in out
        assert "refresh outcome unknown" in out
        assert "newsdesk_zalo_token_refresh_unknown 1.0" in await metrics(world)

        # The access token still works for a while: publishing goes on meanwhile.
        await world.approved("a", title="Bài một")
        await world.fresh().run_once()
        assert [a["title"] for a in world.fake.live_articles()] == ["Bài một"]

        # It expires; the next maintenance tries the stored refresh token: Zalo refuses it.
        world.advance(timedelta(hours=1, minutes=1))
        await world.approved("b", title="Bài hai")
        await world.fresh().maintain_tokens()
        assert "-14014" in ((await stored(world)).last_error or "")
        assert len(await token_alerts(world)) == 4  # the refusal alerted once more, then silence
        await world.fresh().maintain_tokens()
        assert len(await token_alerts(world)) == 4
        await assert_queued_then_published_once(world, ["Bài một", "Bài hai"])
        row = await stored(world)
        assert row.refresh_unknown_at is None and row.last_error is None
        assert "newsdesk_zalo_token_refresh_unknown 0.0" in await metrics(world)


async def test_killed_during_the_refresh_call_alerts_on_restart(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        world.fake.expires_in = SIX_HOURS
        world.fake.hang_seconds = 60.0
        await world.login()
        await world.add_editor()
        first = await stored(world)
        world.advance(timedelta(hours=5))
        await world.approved("a", title="Bài chờ")
        world.fake.fail(TOKEN_PATH, "hang_after")
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.publisher.refresh_child",
            world.db.url,
            world.fake.url,
            str(world.settings.data_dir),
            world.clock.now().isoformat(),
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            await asyncio.wait_for(world.fake.arrival(TOKEN_PATH).wait(), 60)
            # The fake reads the form, then rotates (no event marks that moment).
            while not world.fake.used_refresh_tokens:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            # "In flight" was committed before the call, and no transaction is held during it:
            # this process writes to the same database while the child waits for Zalo.
            row = await stored(world)
            assert row.refresh_started_at == world.clock.now()
            async with world.db.session() as session:
                session.add(Editor(full_name="Biên tập viên hai", email="bt2@stttt.example.vn"))
                await session.commit()
            assert child.returncode is None  # still inside the call
        finally:
            os.killpg(child.pid, signal.SIGKILL)
            await child.wait()
        assert first.refresh_token in world.fake.used_refresh_tokens  # Zalo rotated

        # A restart: while the mark is fresh nobody refreshes (it could still be answered) ...
        restarted = world.fresh()
        await restarted.maintain_tokens()
        assert world.fake.refresh_calls == 1 and await world.outbox() == []
        # ... once it is older than the call's timeout, the outcome is unknown: alert at once.
        world.advance(keeper(world).stale_after)
        await world.fresh().maintain_tokens()
        row = await stored(world)
        assert row.refresh_started_at is None and row.refresh_unknown_at == world.clock.now()
        alerts = await world.outbox()
        assert len(alerts) == 3  # the editors' chat and both editors' mail
        assert all("Không rõ kết quả" in m.body and "/zalo/login?exp=" in m.body for m in alerts)
        assert world.fake.refresh_calls == 1
        world.advance(timedelta(hours=1, minutes=1))  # the access token has expired
        await world.fresh().maintain_tokens()
        assert "-14014" in ((await stored(world)).last_error or "")
        await assert_queued_then_published_once(world, ["Bài chờ"])


async def test_refresh_call_holds_no_transaction(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path, refresh_timeout_seconds=10.0) as world:
        world.fake.hang_seconds = 2.0
        await world.login()
        world.fake.fail(TOKEN_PATH, "hang_before")
        refresh = asyncio.create_task(keeper(world).refresh())
        await asyncio.wait_for(world.fake.arrival(TOKEN_PATH).wait(), 30)
        async with world.db.session() as session:  # intake's writes do not wait for Zalo
            session.add(Editor(full_name="Biên tập viên", email="bientap@stttt.example.vn"))
            await session.commit()
        assert not refresh.done()
        with pytest.raises(Exception, match="outcome unknown"):
            await refresh
        # A 502 after the request left: unknown, so alerted (Zalo may have rotated).
        assert (await stored(world)).refresh_unknown_at is not None
