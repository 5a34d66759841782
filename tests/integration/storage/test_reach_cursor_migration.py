"""The reach sync's cursor moves from `job_run.outcome` ("offset N") to `job_run.page_offset`
and back, on SQLite and PostgreSQL: a sync under way keeps its place across the upgrade."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from storage import migrate
from storage.db import Database
from storage.reach import get_cursor

pytestmark = pytest.mark.integration


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(query))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


async def test_a_cursor_under_way_survives_the_upgrade_and_the_downgrade(
    database_url: str,
) -> None:
    await asyncio.to_thread(migrate.downgrade, database_url, "0009_reach")
    _rows(
        database_url,
        "INSERT INTO job_run (key, started_at, outcome) VALUES "
        "('reach:2026-11-26:articles', '2026-11-26 03:00:00', 'offset 40'), "
        "('report:2026-10', '2026-11-05 01:30:00', 'queued 12')",
    )
    await asyncio.to_thread(migrate.upgrade, database_url, "head")
    got = _rows(database_url, "SELECT key, page_offset FROM job_run ORDER BY key")
    assert got == [("reach:2026-11-26:articles", 40), ("report:2026-10", None)]
    async with Database(database_url) as db, db.session() as session:
        cursor = await get_cursor(session=session, day=date(2026, 11, 26), what="articles")
    assert (cursor.offset, cursor.done) == (40, False)
    await asyncio.to_thread(migrate.downgrade, database_url, "0009_reach")
    got = _rows(database_url, "SELECT key, outcome FROM job_run ORDER BY key")
    assert got == [("reach:2026-11-26:articles", "offset 40"), ("report:2026-10", "queued 12")]
