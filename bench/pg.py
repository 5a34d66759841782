"""A throwaway PostgreSQL database for a benchmark run (created, then dropped)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


def admin(base: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on `base`'s server."""
    import psycopg

    with psycopg.connect(
        base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextmanager
def throwaway_database(base: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on `base`'s server, dropped on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin(base, f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
