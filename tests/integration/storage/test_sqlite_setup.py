"""SQLite as the service uses it (storage/db.py): SQLAlchemy's own aiosqlite dialect, the
pragmas set by a `connect` event on every connection, on a real database file."""

from __future__ import annotations

import asyncio

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.db import Database

pytestmark = pytest.mark.integration


async def make_table(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        )


async def test_the_engine_is_sqlalchemys_aiosqlite_dialect(sqlite_url: str) -> None:
    async with Database(sqlite_url) as db, db.engine.connect() as conn:
        assert db.engine.dialect.name == "sqlite" and db.engine.dialect.driver == "aiosqlite"
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, aiosqlite.Connection)


async def test_every_connection_gets_the_pragmas(sqlite_url: str) -> None:
    """Foreign keys on, WAL, a 10 s busy timeout and NORMAL synchronous, on each of two
    connections open at once (each is a new SQLite connection of the pool)."""
    async with (
        Database(sqlite_url) as db,
        db.engine.connect() as first,
        db.engine.connect() as second,
    ):
        for conn in (first, second):
            pragmas = [
                (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
            ]
            assert pragmas == [1, "wal", 10000, 1]


async def test_a_foreign_key_is_enforced(sqlite_url: str) -> None:
    async with Database(sqlite_url) as db:
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
            await conn.execute(
                text("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
                     "REFERENCES parent (id))")
            )  # fmt: skip
        async with db.engine.connect() as conn:
            with pytest.raises(IntegrityError, match="FOREIGN KEY"):
                await conn.execute(text("INSERT INTO child (parent_id) VALUES (42)"))


async def test_rowcount_lastrowid_errors_and_rollback(sqlite_url: str) -> None:
    async with Database(sqlite_url) as db:
        await make_table(db)
        async with db.engine.connect() as conn:
            first = await conn.execute(text("INSERT INTO note (body) VALUES ('một')"))
            assert first.rowcount == 1 and first.lastrowid == 1
            many = await conn.execute(
                text("INSERT INTO note (body) VALUES (:body)"), [{"body": "hai"}, {"body": "ba"}]
            )
            assert many.rowcount == 2
            updated = await conn.execute(text("UPDATE note SET body = body || '!'"))
            assert updated.rowcount == 3
            inserted = await conn.execute(
                text("INSERT INTO note (body) VALUES (:body) RETURNING id, body"), {"body": "Ảnh"}
            )
            assert inserted.one() == (4, "Ảnh")
            await conn.commit()
            with pytest.raises(IntegrityError):
                await conn.execute(text("INSERT INTO note (body) VALUES ('một!')"))
            await conn.rollback()
            with pytest.raises(OperationalError, match="no such table"):
                await conn.execute(text("SELECT * FROM nowhere"))
            await conn.rollback()
            await conn.execute(text("INSERT INTO note (body) VALUES ('bốn')"))
            await conn.rollback()  # never committed: gone
            count = (await conn.execute(text("SELECT count(*) FROM note"))).scalar_one()
            assert count == 4
            rows = (await conn.execute(text("SELECT body FROM note ORDER BY id"))).all()
            assert [r.body for r in rows] == ["một!", "hai!", "ba!", "Ảnh"]
        async with db.engine.connect() as again:  # a second connection sees what was committed
            fetched = await again.execute(text("SELECT body FROM note WHERE id = 2"))
            assert fetched.fetchmany(5) == [("hai!",)]


async def test_a_second_writer_waits_for_the_first_and_readers_never_wait(
    sqlite_url: str,
) -> None:
    """GIVEN two services on one database file (two engines) and an open write transaction
    in the first WHEN the second reads THEN it reads at once, the last committed state (WAL);
    WHEN the second writes THEN it waits (busy_timeout) rather than failing with "database
    is locked", and its write goes in once the first commits."""
    async with Database(sqlite_url) as one, Database(sqlite_url) as two:
        await make_table(one)
        async with one.engine.connect() as writer:
            await writer.execute(text("INSERT INTO note (body) VALUES ('của dịch vụ 1')"))
            async with two.engine.connect() as reader:
                seen = (await reader.execute(text("SELECT count(*) FROM note"))).scalar_one()
                assert seen == 0  # the uncommitted row is not visible, and nothing waited

            async def second_write() -> None:
                async with two.engine.begin() as conn:
                    await conn.execute(text("INSERT INTO note (body) VALUES ('của dịch vụ 2')"))

            waiting = asyncio.create_task(second_write())
            await asyncio.sleep(0.5)
            assert not waiting.done()  # held by the first writer's lock, not failed
            await writer.commit()
            await asyncio.wait_for(waiting, timeout=10)
        async with two.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT body FROM note ORDER BY id"))).all()
            assert [r.body for r in rows] == ["của dịch vụ 1", "của dịch vụ 2"]


async def test_a_writer_held_past_the_busy_timeout_is_a_database_is_locked_error(
    sqlite_url: str,
) -> None:
    """The wait is bounded: with the first writer's lock held past it, the second gets
    SQLite's "database is locked" as an OperationalError (what storage.submissions'
    transition() recognises as a lost race), and its transaction can be rolled back."""
    async with Database(sqlite_url) as one, Database(sqlite_url) as two:
        await make_table(one)
        async with one.engine.connect() as writer, two.engine.connect() as other:
            await writer.execute(text("INSERT INTO note (body) VALUES ('giữ khóa')"))
            await other.exec_driver_sql("PRAGMA busy_timeout=100")  # not 10 s in a test
            with pytest.raises(OperationalError, match="database is locked"):
                await other.execute(text("INSERT INTO note (body) VALUES ('chờ')"))
            await other.rollback()
            await writer.commit()
            await other.execute(text("INSERT INTO note (body) VALUES ('sau')"))
            await other.commit()
