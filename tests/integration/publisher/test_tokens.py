"""The token keeper: rotation committed atomically, early refresh, one refresher, alerts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from publisher.deps import make_deps
from publisher.steps import step
from publisher.tokens import TokenKeeper
from publisher.zalo.errors import ZaloOAuthError
from storage.db import Database
from storage.models import ZaloToken
from tests.integration.publisher.world import World, make_world

pytestmark = pytest.mark.integration


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


async def test_token_is_used_until_refresh_is_due_then_rotated(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        first = await stored(world)
        assert await keeper(world).access_token() == first.access_token
        world.advance(timedelta(hours=19))  # 25 h token: still 6 h left, no refresh yet
        assert await keeper(world).access_token() == first.access_token
        world.advance(timedelta(hours=1, minutes=1))  # under 5 h left: due
        # A caller in the middle of publishing still gets the valid token (no refresh in a
        # burst); the maintenance between passes refreshes.
        assert await keeper(world).access_token() == first.access_token
        assert world.fake.refresh_calls == 0
        await keeper(world).maintain()
        token = await keeper(world).access_token()
        second = await stored(world)
        assert token == second.access_token != first.access_token
        assert second.refresh_token != first.refresh_token
        assert second.version == first.version + 1
        assert second.access_expires_at == world.clock.now() + timedelta(seconds=90000)
        assert first.refresh_token in world.fake.used_refresh_tokens
        assert world.fake.refresh_calls == 1


async def test_crash_right_after_refresh_keeps_the_new_pair(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        old = await stored(world)
        await keeper(world).refresh()
        # The process dies here; a new one reads the pair from the database.
        new = await stored(world)
        assert new.refresh_token in world.fake.refresh_tokens
        world.advance(timedelta(hours=24, minutes=51))
        assert await keeper(world).access_token() != new.access_token
        assert old.refresh_token in world.fake.used_refresh_tokens
        assert world.fake.refresh_calls == 2


async def test_two_keepers_refreshing_at_once_use_the_refresh_token_once(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        rejected = (await stored(world)).access_token
        first, second = keeper(world), keeper(world)
        await asyncio.gather(first.on_rejected(rejected), second.on_rejected(rejected))
        assert world.fake.refresh_calls == 1
        row = await stored(world)
        assert row.refresh_token in world.fake.refresh_tokens
        assert await first.access_token() == await second.access_token() == row.access_token


async def test_failed_refresh_alerts_editors_with_the_command(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await world.add_editor()
        world.fake.refresh_tokens.clear()  # e.g. consumed elsewhere or revoked
        with pytest.raises(ZaloOAuthError):
            await keeper(world).refresh()
        row = await stored(world)
        assert row.last_error == "-14014 Invalid refresh token"
        alerts = await world.outbox()
        assert {m.channel for m in alerts} == {"telegram", "email"}
        assert all("python main.py zalo login" in m.body for m in alerts)
        # Failing again for the same stored pair does not alert twice.
        with pytest.raises(ZaloOAuthError):
            await keeper(world).refresh()
        assert len(await world.outbox()) == 2


async def test_refresh_token_near_three_months_alerts_once_a_day(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        await world.login()
        await keeper(world).maintain()
        assert await world.outbox() == []
        world.fake.expires_in = 90 * 86400  # keep the access token alive for the jump
        await keeper(world).refresh()
        world.advance(timedelta(days=81))
        await keeper(world).maintain()
        await keeper(world).maintain()
        [alert] = await world.outbox()
        assert "81 ngày" in alert.body
        assert "python main.py zalo login" in alert.body
        world.advance(timedelta(days=1))
        await keeper(world).maintain()
        assert len(await world.outbox()) == 2


async def test_status_shows_ages_without_tokens(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        assert (await keeper(world).status()).present is False
        await world.login()
        status = await keeper(world).status()
        assert status.present and status.refresh_issued_at == world.clock.now()
        assert status.refresh_expires_about == world.clock.now() + timedelta(days=90)


async def test_refresh_falls_due_in_the_middle_of_publishing(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        world.fake.invalidate_old_access_on_refresh = True
        await world.login()
        first = await stored(world)
        await world.approved("a")
        worker = world.fresh()
        await worker.schedule_approved()
        [pub] = await worker.claim()
        assert await step(worker.deps, pub)  # queued -> creating
        assert await step(worker.deps, pub)  # creating -> created, with the first token
        world.advance(timedelta(hours=24, minutes=51))  # 9 minutes left: refresh even now
        await world.fresh().run_once()  # verify (and the link) with the rotated token
        assert (await world.publication(pub.id or 0)).status == "published"
        second = await stored(world)
        assert second.version == first.version + 1
        assert world.fake.refresh_calls == 1
        assert len(world.fake.live_articles()) == 1
