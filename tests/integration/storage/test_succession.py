"""storage.succession on SQLite and PostgreSQL: officers at the changeover, applying twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from domain.periods import TZ
from domain.registry_rows import CsvRowError, SuccessionRow
from storage.db import Database
from storage.models import Officer, UnitSuccessor
from storage.succession import apply_succession, changeover
from tests.support.seed import add_officer, add_unit, local

pytestmark = pytest.mark.integration
LAST_DAY = date(2025, 6, 30)
AT = datetime(2025, 7, 1, tzinfo=TZ).astimezone(UTC)


async def officers(db: Database) -> list[tuple[str, int, datetime, datetime | None]]:
    async with db.session() as session:
        rows = await session.exec(select(Officer).order_by(col(Officer.id)))
        return [(o.full_name, o.unit_id, o.active_from, o.active_to) for o in rows.all()]


async def test_officers_at_the_changeover_and_applying_twice(database: Database) -> None:
    """GIVEN two districts, each with an officer from 2020 and one registered after the change
    WHEN one ends keeping its officers and the other hands them to its successor
    THEN the first's officers end, the second's continue at the successor (the late one moved
    whole), and applying the same rows again changes nothing."""
    keep = await add_unit(database, "h-a", "Huyện A")
    hand = await add_unit(database, "h-b", "Huyện B")
    xa = await add_unit(database, "xa-c", "Xã C", valid_from=date(2026, 1, 1))
    await add_officer(database, keep, "An", email="an@a.vn")
    late = local(2025, 7, 5, 9)
    await add_officer(database, keep, "Ba", email="ba@a.vn", active_from=late)
    await add_officer(database, hand, "Chi", email="chi@b.vn", telegram_user_id=42)
    await add_officer(database, hand, "Dung", email="dung@b.vn", active_from=late)
    rows = [
        SuccessionRow(1, "h-a", "xa-c", LAST_DAY),
        SuccessionRow(2, "h-b", "xa-c", LAST_DAY, officers=True),
    ]
    assert changeover(LAST_DAY) == AT
    first = await apply_succession(database, rows, write=True)
    assert [(h.code, h.officers_ended, h.officers_moved, h.links) for h in first] == [
        ("h-a", 2, 0, 1), ("h-b", 0, 2, 1),
    ]  # fmt: skip
    assert first[0].starts_moved == [("xa-c", date(2025, 7, 1))]
    late_utc = late.astimezone(UTC)
    assert await officers(database) == [
        ("An", keep, local(2020, 1, 1).astimezone(UTC), AT),
        ("Ba", keep, late_utc, late_utc),  # ended the moment it started
        ("Chi", hand, local(2020, 1, 1).astimezone(UTC), AT),
        ("Dung", xa, late_utc, None),  # registered after the change: moved whole
        ("Chi", xa, AT, None),
    ]
    again = await apply_succession(database, rows, write=True)
    assert [h.changed for h in again] == [False, False]
    async with database.session() as session:
        links = (await session.exec(select(UnitSuccessor))).all()
    assert sorted((link.unit_id, link.successor_id) for link in links) == [(keep, xa), (hand, xa)]


async def test_preview_writes_nothing_and_bad_rows_are_named(database: Database) -> None:
    old = await add_unit(database, "h-a", "Huyện A")
    await add_unit(database, "xa-cu", "Xã Cũ", valid_to=date(2025, 6, 30))
    await add_unit(database, "xa-moi", "Xã Mới")
    await add_officer(database, old, "An", email="an@a.vn")
    preview = await apply_succession(
        database, [SuccessionRow(1, "h-a", "xa-moi", LAST_DAY, officers=True)], write=False
    )
    assert preview[0].officers_moved == 1 and preview[0].dated
    assert [o[3] for o in await officers(database)] == [None]
    with pytest.raises(CsvRowError) as caught:
        await apply_succession(
            database,
            [
                SuccessionRow(2, "h-x", "xa-moi", LAST_DAY),
                SuccessionRow(3, "h-a", "xa-cu", LAST_DAY),
            ],
            write=True,
        )
    assert caught.value.problems == [
        "dòng 2: không có đơn vị mã 'h-x'",
        "dòng 3: đơn vị kế thừa xa-cu đã ngừng hoạt động sau 30/06/2025, trước khi nhận",
    ]


async def test_a_successor_ended_earlier_in_the_same_rows_is_refused(database: Database) -> None:
    await add_unit(database, "h-a", "Huyện A")
    await add_unit(database, "xa-b", "Xã B")
    await add_unit(database, "xa-c", "Xã C")
    rows = [
        SuccessionRow(2, "h-a", "xa-b", LAST_DAY),
        SuccessionRow(3, "xa-b", "xa-c", date(2025, 3, 31)),
    ]
    with pytest.raises(CsvRowError) as caught:
        await apply_succession(database, rows, write=True)
    assert caught.value.problems == [
        "dòng 2: đơn vị kế thừa xa-b đã ngừng hoạt động sau 31/03/2025, trước khi nhận"
    ]
    async with database.session() as session:
        ended = (await session.exec(select(UnitSuccessor))).all()
    assert ended == []
