"""SQLite through aiosqlite with one call to the connection's thread per statement
(storage/sqlite_async.py), on a real database file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import sqlite_async
from storage.db import Database

pytestmark = pytest.mark.integration


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every function aiosqlite queues to a connection's thread (observed, not replaced)."""
    seen: list[str] = []
    queue = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await queue(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    yield seen


async def make_table(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        )


async def test_the_engine_uses_the_one_call_cursor(sqlite_url: str) -> None:
    async with Database(sqlite_url) as db, db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, sqlite_async.OneCallConnection)
        cursor = raw.dbapi_connection.cursor()
        assert isinstance(cursor, sqlite_async.OneCallCursor)
        # the private aiosqlite names it relies on are there
        driver = raw.driver_connection
        assert callable(driver._execute) and driver._conn is not None


async def test_each_statement_is_one_call_to_the_connection_thread(
    sqlite_url: str, calls: list[str]
) -> None:
    """A SELECT with rows, an INSERT of many rows and an INSERT ... RETURNING: one call
    each (the stock adapter made 3-4: cursor, execute, fetch, close)."""
    async with Database(sqlite_url) as db:
        await make_table(db)
        async with db.engine.connect() as conn:
            del calls[:]
            await conn.execute(
                text("INSERT INTO note (body) VALUES (:body)"),
                [{"body": "Tin bài số 1"}, {"body": "Tin bài số 2"}, {"body": "Ảnh"}],
            )
            assert calls == ["_statement"]
            del calls[:]
            rows = (await conn.execute(text("SELECT id, body FROM note ORDER BY id"))).all()
            assert calls == ["_statement"]
            assert [r.body for r in rows] == ["Tin bài số 1", "Tin bài số 2", "Ảnh"]
            del calls[:]
            inserted = await conn.execute(
                text("INSERT INTO note (body) VALUES (:body) RETURNING id, body"),
                {"body": "Video"},
            )
            assert calls == ["_statement"]
            assert inserted.one().body == "Video"
            await conn.commit()


async def test_rowcount_lastrowid_errors_and_rollback_are_as_before(sqlite_url: str) -> None:
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
            assert count == 3
            rows = (await conn.execute(text("SELECT body FROM note ORDER BY id"))).all()
            assert [r.body for r in rows] == ["một!", "hai!", "ba!"]
        async with db.engine.connect() as again:  # a second connection sees what was committed
            fetched = await again.execute(text("SELECT body FROM note WHERE id = 2"))
            assert fetched.fetchmany(5) == [("hai!",)]
