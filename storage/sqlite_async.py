"""SQLite through aiosqlite with one thread hand-off per statement.

aiosqlite runs each SQLite connection in a thread of its own; every call is queued to that
thread and its answer comes back to the event loop (a queue put, a thread wake-up, a write
to the loop's self-pipe, an epoll wake-up). SQLAlchemy's aiosqlite adapter makes three or
four such calls per statement: create a cursor, execute, fetch the rows, close the cursor.
The e-mail reader's batch transaction (14 statements for 50 mails) made ~100 of them, and
while the fetch workers kept both cores busy each one also waited to be scheduled: the
transaction took 15-54 ms per batch during a sweep against ~19 ms alone, and it was the
sweep's critical path.

Here a statement is one call: the cursor is created, executed, read to the end and closed
in the connection's thread, and the adapter keeps the description, rows, rowcount and
lastrowid. Everything else (transactions, isolation level, errors, the pool) is
SQLAlchemy's own aiosqlite dialect; `Database` hands it this module as its DBAPI.
Server-side cursors (`stream()`, not used by Newsdesk) keep the stock adapter.

It relies on two private names of aiosqlite, `Connection._execute(fn, *args)` (queue a
function for the connection's thread) and `Connection._conn` (the sqlite3 connection),
which SQLAlchemy's own adapter also uses; a test checks both, and the number of hand-offs.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, list[Any] | None, int, int | None]


def _statement(
    connection: sqlite3.Connection, operation: str, parameters: Any, *, many: bool
) -> Outcome:
    """In the connection's thread: run one statement and read everything it returns."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneCallCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose execute() and executemany() are one call each to the
    connection's thread; no sqlite3 cursor outlives the call."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor made here: no call
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._call(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._call(operation, seq_of_parameters, many=True)

    def _call(self, operation: Any, parameters: Any, *, many: bool) -> None:
        try:
            await_(self._run(operation, parameters, many=many))
        except Exception as error:  # translated to the DBAPI's errors, as the stock adapter
            self._adapt_connection._handle_exception(error)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: Any = self._connection  # aiosqlite.Connection
        async with self._adapt_connection._execute_mutex:
            outcome: Outcome = await connection._execute(
                _statement, connection._conn, operation, parameters, many=many
            )
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows or ())

    async def _async_soft_close(self) -> None:
        return None  # nothing is open in the connection's thread

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None  # sqlite3 has one result set per statement

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneCallConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection adapter with OneCallCursor as its cursor."""

    __slots__ = ()
    _cursor_cls = OneCallCursor


class OneCallDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module given to the engine (`create_async_engine(..., module=...)`)."""

    def connect(self, *arg: Any, **kw: Any) -> OneCallConnection:
        stock = super().connect(*arg, **kw)
        return OneCallConnection(self, stock._connection)


def dbapi() -> OneCallDBAPI:
    return OneCallDBAPI(aiosqlite, sqlite3)
