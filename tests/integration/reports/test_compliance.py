"""Compliance figures for a seeded month, cell by cell, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from domain.states import SubmissionStatus as S
from reports import render, texts, xlsx
from reports.compliance import Rules, month_report, year_report
from reports.figures import Standing
from scheduler.config import config_from_settings
from settings import Settings
from storage.db import Database
from tests.support.seed import add_officer, add_submission, add_unit, local, make_config

pytestmark = pytest.mark.integration
RULES = make_config(day=19).rules


@contextmanager
def count_statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def seed_july(db: Database) -> None:
    """Units A-D counted and valid in July 2024, plus three that must not appear."""
    a = await add_unit(db, "a-tttt", "Sở Thông tin và Truyền thông")
    b = await add_unit(db, "b-yte", "Sở Y tế")
    c = await add_unit(db, "c-vu-thu", "UBND huyện Vũ Thư", kind="district")  # type: ignore[arg-type]
    await add_unit(db, "d-tu-phap", "Sở Tư pháp")
    await add_unit(db, "x-bao", "Báo Thái Bình", counted=False)
    await add_unit(db, "y-cu", "Sở Cũ", valid_to=date(2024, 6, 30))
    await add_unit(db, "z-moi", "Sở Mới", valid_from=date(2024, 8, 1))
    await add_officer(db, a, "Nguyễn Thị Hoà", phone="+84912345678", email="hoa@tttt.vn")
    await add_officer(db, b, "Lê Văn Cũ", position="Cựu chuyên viên",
                      active_to=local(2024, 6, 1))  # fmt: skip
    await add_officer(db, b, "Trần Bình", position="Phó Chánh Văn phòng", phone="+84987654321")
    # A: on time (published + a pending one); a June item and an unassigned one do not count.
    await add_submission(db, a, local(2024, 7, 3, 9), status=S.PUBLISHED)
    await add_submission(db, a, local(2024, 7, 20, 9), status=S.PENDING_REVIEW)
    await add_submission(db, a, local(2024, 6, 30, 23, 59), status=S.PUBLISHED)
    await add_submission(db, None, local(2024, 7, 4), status=S.QUARANTINED)
    # B: a rejected item on time, then a qualifying one after the deadline: late.
    await add_submission(db, b, local(2024, 7, 10, 8), status=S.REJECTED)
    await add_submission(db, b, local(2024, 7, 19, 17, 1), status=S.APPROVED)
    # C: first version on 18/7, a new version after a change request on 25/7: still on time.
    await add_submission(db, c, local(2024, 7, 18, 16), status=S.PENDING_REVIEW, revision=2,
                         updated_at=local(2024, 7, 25))  # fmt: skip
    await add_submission(db, c, local(2024, 7, 2), status=S.WITHDRAWN)
    # D: nothing at all.


async def test_month_report_cell_by_cell(database: Database) -> None:
    await seed_july(database)
    now = local(2024, 8, 3, 8)
    async with database.session() as session:
        report = await month_report(
            session=session, period="2024-07", rules=RULES, now=now, internal=True
        )
    assert report.deadline == local(2024, 7, 19, 17)
    # Departments before districts, each in Vietnamese order (Thông < Tư < Y).
    assert render.month_rows(report) == [
        [1, "a-tttt", "Sở Thông tin và Truyền thông", 2, 1, 1, "Đúng hạn", "09:00 ngày 03/07/2024",
         "Nguyễn Thị Hoà", "Chuyên viên", "+84912345678"],
        [2, "d-tu-phap", "Sở Tư pháp", 0, 0, 0, "Chưa gửi", "", "Chưa đăng ký", "", ""],
        [3, "b-yte", "Sở Y tế", 2, 1, 0, "Trễ hạn", "17:01 ngày 19/07/2024", "Trần Bình",
         "Phó Chánh Văn phòng", "+84987654321"],
        [4, "c-vu-thu", "UBND huyện Vũ Thư", 2, 0, 0, "Đúng hạn", "16:00 ngày 18/07/2024",
         "Chưa đăng ký", "", ""],
    ]  # fmt: skip
    assert [r.standing for r in report.rows] == [
        Standing.ON_TIME, Standing.MISSING, Standing.LATE, Standing.ON_TIME,
    ]  # fmt: skip
    assert report.unregistered == ()  # no registration deadline configured


async def test_shared_copy_has_no_phones_and_xlsx_matches(database: Database) -> None:
    await seed_july(database)
    async with database.session() as session:
        report = await month_report(
            session=session, period="2024-07", rules=RULES, now=local(2024, 8, 3, 8)
        )
    wb = load_workbook(io.BytesIO(xlsx.month_xlsx(report)))
    ws = wb.active
    assert ws is not None
    cells = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=13)]
    assert cells[0][-1] == "Chức vụ"
    # Departments, then districts, each with a heading and a subtotal, then the grand total.
    assert cells[1][:4] == [None, None, "I. Sở, ban, ngành", None]
    assert cells[4] == [3, "b-yte", "Sở Y tế", 2, 1, 0, "Trễ hạn", datetime(2024, 7, 19, 17, 1),
                        "Trần Bình", "Phó Chánh Văn phòng"]  # fmt: skip
    assert cells[3][:7] == [2, "d-tu-phap", "Sở Tư pháp", 0, 0, 0, "Chưa gửi"]
    assert cells[5][:7] == [None, None, "Cộng sở, ban, ngành (3 đơn vị)", 4, 2, 1, "2/3 đã gửi"]
    assert ws.cell(row=9, column=3).font.bold
    assert [row[2] for row in cells[6:]] == [
        "II. Huyện, thành phố", "UBND huyện Vũ Thư", "Cộng huyện, thành phố (1 đơn vị)",
        "Tổng cộng (4 đơn vị)",
    ]  # fmt: skip
    assert cells[9][3:7] == [6, 2, 1, "3/4 đã gửi"]
    flat = [str(v) for row in ws.iter_rows() for v in (c.value for c in row)]
    assert not any("+849" in v for v in flat)


async def test_unregistered_units_listed_after_the_registration_deadline(
    database: Database,
) -> None:
    await seed_july(database)
    rules = Rules(deadline=RULES.deadline, registration_deadline=local(2024, 7, 19, 17))
    async with database.session() as session:
        before = await month_report(
            session=session, period="2024-07", rules=rules, now=local(2024, 7, 19, 16)
        )
        after = await month_report(
            session=session, period="2024-07", rules=rules, now=local(2024, 8, 3, 8)
        )
    assert before.unregistered == ()
    assert after.unregistered == ("Sở Tư pháp", "UBND huyện Vũ Thư")


async def test_year_grid(database: Database) -> None:
    await seed_july(database)
    async with database.session() as session:
        report = await year_report(session=session, year=2024, rules=RULES,
                                   now=local(2024, 8, 10))  # fmt: skip
    grid = {row.unit_code: row.months for row in report.rows}
    miss, on, late = Standing.MISSING, Standing.ON_TIME, Standing.LATE
    assert grid["a-tttt"][:8] == (miss, miss, miss, miss, miss, late, on, None)  # 30/6 > 19/6
    assert grid["b-yte"][5:8] == (miss, late, None)
    assert grid["y-cu"][5:7] == (miss, None)  # closed at the end of June
    assert grid["z-moi"][6:8] == (None, None)  # opens in August, deadline still ahead
    assert "x-bao" not in grid
    assert [r.complied_months for r in report.rows if r.unit_code == "a-tttt"] == [2]
    assert render.year_rows(report)[0][0:3] == [1, "y-cu", "Sở Cũ"]


async def test_query_count_does_not_grow_with_units(database: Database) -> None:
    """GIVEN 4 then 40 units WHEN the month and year reports run THEN the same SQL count."""
    await seed_july(database)
    counts = []
    for extra in (0, 36):
        for i in range(extra):
            uid = await add_unit(database, f"n-{i:02d}", f"Đơn vị {i:02d}")
            await add_officer(database, uid, f"Cán bộ {i}", email=f"cb{i}@x.vn")
            await add_submission(database, uid, local(2024, 7, 1 + i % 28, 9))
        async with database.session() as session:
            with count_statements(database) as seen:
                month = await month_report(session=session, period="2024-07", rules=RULES,
                                           now=local(2024, 8, 3), internal=True)  # fmt: skip
                year = await year_report(session=session, year=2024, rules=RULES,
                                         now=local(2024, 8, 3))  # fmt: skip
        counts.append((len(month.rows), len(year.rows), len(seen)))
    assert counts[0][2] == counts[1][2]
    assert (counts[0][0], counts[1][0]) == (4, 40)


@pytest.mark.parametrize(
    ("counts_as", "expected"),
    [
        # sent (default): anything not rejected or withdrawn, even while it waits for changes.
        ("sent", ["Đúng hạn", "Chưa gửi", "Trễ hạn", "Đúng hạn"]),
        ("approved", ["Đúng hạn", "Chưa gửi", "Trễ hạn", "Chưa đạt"]),
        ("published", ["Đúng hạn", "Chưa gửi", "Chưa đạt", "Chưa đạt"]),
    ],
)
async def test_the_compliance_rule_is_a_setting(
    database: Database, counts_as: str, expected: list[str]
) -> None:
    """GIVEN July's items WHEN the report counts sent, approved or published items THEN each
    unit's standing follows the rule, a unit that sent only what does not count is "Chưa đạt"
    (never "Chưa gửi"), and the summary gives both the units that sent and those published."""
    await seed_july(database)
    rules = replace(RULES, counts_as=counts_as)
    async with database.session() as session:
        report = await month_report(
            session=session, period="2024-07", rules=rules, now=local(2024, 8, 3, 8)
        )
    assert [row[6] for row in render.month_rows(report)] == expected
    assert "Đã gửi: 3/4 đơn vị; đã đăng: 1/4 đơn vị." in texts.summary(report).splitlines()
    assert texts.RULES[counts_as] in render.month_table(report)


def test_counts_as_setting_reaches_the_rules() -> None:
    settings = Settings(schedule={"counts_as": "published"}, _env_file=None)  # type: ignore[arg-type,call-arg]
    assert config_from_settings(settings).rules.counts_as == "published"
    assert config_from_settings(Settings(_env_file=None)).rules.counts_as == "sent"  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        Settings(schedule={"counts_as": "received"}, _env_file=None)  # type: ignore[arg-type,call-arg]
