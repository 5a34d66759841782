"""Leases that expire (storage/leases.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.clock import FixedClock
from storage.db import Database
from storage.leases import LeaseLost, acquire, holder_of, holding, release_instance, renew

pytestmark = pytest.mark.integration
TTL = timedelta(seconds=30)
T0 = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)


async def take(db: Database, holder: str, now: datetime) -> bool:
    async with db.session() as session:
        taken = await acquire(session=session, name="mail:x", holder=holder, now=now, ttl=TTL)
        await session.commit()
    return taken


async def test_one_holder_until_it_stops_renewing(database: Database) -> None:
    """GIVEN A holds the lease WHEN B asks before it runs out THEN no; after it runs out
    (A frozen, never renewing) THEN B has it, and A's late renewal fails."""
    assert await take(database, "a", T0)
    assert not await take(database, "b", T0 + timedelta(seconds=29))
    assert await take(database, "a", T0 + timedelta(seconds=29))  # A renews by taking again
    assert not await take(database, "b", T0 + timedelta(seconds=58))
    assert await take(database, "b", T0 + timedelta(seconds=60))
    async with database.session() as session:
        kept = await renew(
            session=session, name="mail:x", holder="a", now=T0 + timedelta(seconds=61), ttl=TTL
        )
    assert not kept


async def test_racing_takers_get_one_lease(database: Database) -> None:
    results = await asyncio.gather(*(take(database, f"h{i}", T0) for i in range(8)))
    assert sum(results) == 1


async def test_holding_releases_and_confirm_detects_a_takeover(database: Database) -> None:
    clock = FixedClock(T0)
    async with holding(database, "mail:y", holder="a", ttl=TTL, now=clock.now) as held:
        assert held is not None
        async with holding(database, "mail:y", holder="b", ttl=TTL, now=clock.now) as other:
            assert other is None
        clock.advance(TTL)  # A froze past its lease; B takes over
        async with holding(database, "mail:y", holder="b", ttl=TTL, now=clock.now) as other:
            assert other is not None
            with pytest.raises(LeaseLost):
                await held.confirm()
    async with holding(database, "mail:y", holder="c", ttl=TTL, now=clock.now) as third:
        assert third is not None  # released on the way out


async def test_a_restarting_instance_lets_its_dead_runs_leases_go(database: Database) -> None:
    """GIVEN mailbox leases held by "a"'s previous run and by "ab" and "b" WHEN "a" starts
    THEN only its own previous run's mailbox lease is gone."""
    for name, holder in [
        ("mail:x", "a:101:ff"),
        ("mail:y", "ab:7:ee"),
        ("mail:z", "b:9:dd"),
        ("other:x", "a:101:ff"),
    ]:
        async with database.session() as session:
            assert await acquire(session=session, name=name, holder=holder, now=T0, ttl=TTL)
            await session.commit()
    async with database.session() as session:
        assert await release_instance(session=session, instance="a", prefix="mail:") == 1
        await session.commit()
    assert await take(database, "a:202:cc", T0 + timedelta(seconds=1))
    async with database.session() as session:
        assert await holder_of(session=session, name="mail:y", now=T0) == "ab:7:ee"
        assert await holder_of(session=session, name="other:x", now=T0) == "a:101:ff"
