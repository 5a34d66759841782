"""Leases that expire (storage/leases.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from domain.clock import FixedClock
from storage.db import Database, postgres_session_url, session_name
from storage.leases import (
    LeaseLost,
    acquire,
    fence,
    holding,
    instance_of,
    release_instance,
    renew,
)
from storage.models import Lease
from storage.rows import dialect_insert

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
        holders = dict((await session.exec(select(Lease.name, Lease.holder))).all())
    assert holders == {
        "mail:x": "a:202:cc",  # the previous run's, let go and taken by the new run
        "mail:y": "ab:7:ee",
        "mail:z": "b:9:dd",
        "other:x": "a:101:ff",
    }


async def test_a_holder_frozen_mid_transaction_does_not_block_its_successor(
    pg_url: str,
) -> None:
    """GIVEN instance A inserted a row and then froze inside its transaction (it holds the
    row's unique key) WHEN instance B, which took the work over, inserts the same key THEN
    PostgreSQL ends A's idle session after `idle_transaction_seconds`, B's insert goes
    through, and A's late commit fails instead of writing a second copy."""
    a = Database(pg_url, idle_transaction_seconds=1, application_name="newsdesk:a")
    b = Database(pg_url, idle_transaction_seconds=1, application_name="newsdesk:b")
    async with a, b:
        async with a.session() as frozen:
            now = T0
            await acquire(session=frozen, name="mail:z", holder="a", now=now, ttl=TTL)
            # A is now "idle in transaction", as a process stopped between two statements.
            started = asyncio.get_running_loop().time()
            async with b.session() as successor:
                insert = dialect_insert(successor)
                await successor.exec(
                    insert(Lease).values(name="mail:z", holder="b", expires_at=now, updated_at=now)
                )
                await successor.commit()
            waited = asyncio.get_running_loop().time() - started
            with pytest.raises(DBAPIError):
                await frozen.commit()
        async with b.session() as session:
            names = (await session.exec(select(Lease.holder).where(Lease.name == "mail:z"))).all()
            activity = await session.exec(
                text("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            )
            label = activity.one()[0]
    assert list(names) == ["b"]
    assert 0.5 < waited < 30, waited  # B waited for the timeout, not forever
    assert label == "newsdesk:b"


def test_session_settings_keep_what_the_url_already_says() -> None:
    url = postgres_session_url(
        "postgresql://u:p@h/db?options=-c%20statement_timeout%3D5000&application_name=ops",
        idle_transaction_seconds=2.5,
        application_name="newsdesk:a",
    )
    query = make_url(url).query
    assert (
        query["options"] == "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=2500"
    )
    assert query["application_name"] == "ops"
    assert make_url(url).drivername == "postgresql+psycopg"
    off = postgres_session_url(
        "postgresql://h/db", idle_transaction_seconds=0, application_name=""
    )
    assert make_url(off).query == {}


async def test_a_successor_ends_the_session_its_predecessor_froze_in_mid_pipeline(
    pg_url: str,
) -> None:
    """GIVEN instance A's lease ran out while A is frozen in the middle of a pipelined write
    (psycopg's executemany: the server is still reading, so the session is "active" and no
    idle timeout applies) holding a unique key WHEN instance B takes the lease over THEN B
    ends A's session and B's insert of the same key goes through, instead of waiting for as
    long as A stays frozen."""
    b = Database(pg_url, application_name=session_name("b"))
    async with b:
        async with b.session() as session:
            assert await acquire(session=session, name="mail:p", holder="a:1:x", now=T0, ttl=TTL)
            await session.commit()
        dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
        frozen = await asyncio.to_thread(
            psycopg.connect, dsn, application_name=session_name("a"), autocommit=True
        )
        wire = frozen.pgconn
        wire.enter_pipeline_mode()
        wire.send_query_params(b"BEGIN", None)
        wire.send_query_params(
            b"INSERT INTO lease (name, holder, expires_at, updated_at) "
            b"VALUES ('mail:p-data', 'a', now(), now())",
            None,
        )
        wire.send_flush_request()
        wire.flush()  # then nothing more: frozen before the pipeline's Sync
        later = T0 + 2 * TTL
        async with holding(b, "mail:p", holder="b:2:y", ttl=TTL, now=lambda: later) as held:
            assert held is not None
            async with b.session() as session:
                insert = dialect_insert(session)
                stmt = insert(Lease).values(
                    name="mail:p-data", holder="b", expires_at=later, updated_at=later
                )
                await asyncio.wait_for(session.exec(stmt), timeout=20)
                await session.commit()
            async with b.session() as session:
                left = await session.exec(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
                    ).bindparams(name=session_name("a"))
                )
                assert left.one()[0] == 0
        frozen.close()


async def test_no_fencing_of_the_same_instance_or_on_a_free_lease(pg_url: str) -> None:
    """A restart of the same instance, or a lease nobody held, ends nobody's session."""
    db = Database(pg_url, application_name=session_name("a"))
    async with db:
        async with holding(db, "mail:r", holder="a:1:x", ttl=TTL, now=lambda: T0) as held:
            assert held is not None
        async with db.session() as session:
            assert await fence(session=session, instance="nobody") == 0
        assert instance_of("a:b:7:ff") == "a:b"


async def test_instances_on_another_role_are_not_fenced_and_the_lease_is_still_taken(
    pg_url: str,
) -> None:
    """GIVEN the previous holder's sessions belong to another database role (PostgreSQL hides
    another role's transactions and refuses to end its sessions) WHEN the successor takes an
    expired lease over THEN it holds the lease without error, and that session is left: the
    fence needs the instances to share one role, as the README's deployment says."""
    role = f"fence_{uuid.uuid4().hex[:8]}"
    admin_dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'GRANT ALL ON lease TO "{role}"')
    frozen = await asyncio.to_thread(
        psycopg.connect, admin_dsn, application_name=session_name("a"), autocommit=True
    )
    try:
        frozen.execute("BEGIN")  # another role's session inside a transaction
        frozen.execute("SELECT 1")
        other = make_url(pg_url).set(username=role).render_as_string(hide_password=False)
        b = Database(other, application_name=session_name("b"))
        async with b:
            async with b.session() as session:
                assert await acquire(
                    session=session, name="mail:s", holder="a:1:x", now=T0, ttl=TTL
                )
                await session.commit()
            later = T0 + 2 * TTL
            async with holding(b, "mail:s", holder="b:2:y", ttl=TTL, now=lambda: later) as held:
                assert held is not None
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                (session_name("a"),),
            ).fetchone()
        assert row is not None and row[0] == 1
    finally:
        frozen.close()
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'REVOKE ALL ON lease FROM "{role}"')
            admin.execute(f'DROP ROLE "{role}"')
