"""Fixtures shared by the whole suite: databases (SQLite and PostgreSQL), settings, SMTP."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from settings import Settings
from storage import migrate
from storage.db import Database
from storage.files import FileStore
from tests.support.peers import require
from tests.support.ports import free_port
from tests.support.postgres import admin_execute, throwaway_cluster, with_database
from tests.support.smtp import SmtpSink


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite tests/golden/texts from the current texts (read the diff first)",
    )


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """An admin URL to a PostgreSQL server: TEST_DATABASE_URL or a throwaway cluster."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    try:
        with throwaway_cluster() as admin:
            yield admin
    except RuntimeError as exc:
        require(False, str(exc))


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str) -> Iterator[str]:
    """A migrated template database; each test copies it (CREATE DATABASE ... TEMPLATE)."""
    name = f"newsdesk_tpl_{uuid.uuid4().hex[:10]}"
    admin_execute(pg_admin_url, f'CREATE DATABASE "{name}"')
    migrate.upgrade(with_database(pg_admin_url, name))
    yield name
    admin_execute(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_admin_url: str, pg_template: str) -> Iterator[str]:
    name = f"newsdesk_t_{uuid.uuid4().hex[:12]}"
    admin_execute(pg_admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield with_database(pg_admin_url, name)
    admin_execute(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "newsdesk.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


# --- either ---------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "pg"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database: the test runs once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    async with Database(database_url) as db:
        yield db


@pytest.fixture
async def pg_database(pg_url: str) -> AsyncIterator[Database]:
    async with Database(pg_url) as db:
        yield db


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


# --- SMTP -----------------------------------------------------------------------------------


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real aiosmtpd server on loopback recording every message."""
    sink = SmtpSink(free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for a test: its own data directory and database; SMTP off unless asked."""
    return Settings(
        data_dir=tmp_path / "data",
        database={"url": database_url},  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """CLI tests run main's logging set-up; put the root logger back after each test."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
