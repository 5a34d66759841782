"""The engine and sessions: async for the service, sync URLs for Alembic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

IDLE_TRANSACTION_SECONDS = 60.0


def session_name(instance: str) -> str:
    """The `application_name` of an instance's PostgreSQL sessions (how a successor finds them,
    see storage.leases.fence)."""
    return f"newsdesk:{instance}"[:63]


def async_url(url: str) -> str:
    """The async driver form of a database URL (aiosqlite, psycopg)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The sync driver form of a database URL (for Alembic and one-off scripts)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def safe_url(url: str) -> str:
    """The URL with its password masked, for logs and messages."""
    parsed: URL = make_url(url)
    return parsed.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Set on every new SQLite connection (a `connect` event, as SQLAlchemy documents for
    per-connection pragmas): foreign keys enforced; WAL, so readers never wait for the one
    writer; a writer waits up to 10 s for another's lock before "database is locked";
    NORMAL synchronous, which WAL keeps consistent after a crash."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def postgres_session_url(
    url: str, *, idle_transaction_seconds: float, application_name: str
) -> str:
    """The async URL with the session settings every PostgreSQL connection gets.

    `idle_in_transaction_session_timeout`: an instance frozen in the middle of a transaction
    (SIGSTOP, a hung host, a cut network without a TCP reset) keeps its row locks until its
    session ends; an instance that took the work over would wait on them with no end (the
    same unique keys are being inserted). PostgreSQL ends such a session after this long,
    its transaction rolls back, and the other instance goes on. `application_name` names the
    instance in `pg_stat_activity`. Options already in the URL are kept (ours are appended);
    an application_name in the URL wins.
    """
    parsed = make_url(async_url(url))
    query: dict[str, str] = {k: str(v) for k, v in parsed.query.items()}
    if idle_transaction_seconds > 0:
        timeout = f"-c idle_in_transaction_session_timeout={int(idle_transaction_seconds * 1000)}"
        query["options"] = f"{query['options']} {timeout}" if "options" in query else timeout
    if application_name:
        query.setdefault("application_name", application_name[:63])
    return parsed.set(query=query).render_as_string(hide_password=False)


class Database:
    """Owns the async engine: psycopg for PostgreSQL, SQLAlchemy's aiosqlite dialect for
    SQLite. `async with Database(url) as db:` disposes it on exit.

    On PostgreSQL, `idle_transaction_seconds` (0 = never) ends a session left idle inside a
    transaction (see `postgres_session_url`); `application_name` labels the connections.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        idle_transaction_seconds: float = IDLE_TRANSACTION_SECONDS,
        application_name: str = "newsdesk",
    ) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        engine_url = async_url(url)
        if make_url(url).get_backend_name() == "postgresql":
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
            engine_url = postgres_session_url(
                url,
                idle_transaction_seconds=idle_transaction_seconds,
                application_name=application_name,
            )
        self.engine: AsyncEngine = create_async_engine(engine_url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @property
    def is_postgres(self) -> bool:
        return make_url(self.url).get_backend_name() == "postgresql"

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits. Rolled back if the block raises."""
        async with self._sessions() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.dispose()
