"""Reports and reminders across the 2025 reorganisation, on the real `vietnam-provinces` data.

Thái Bình's 30 units of 2024 move onto Hưng Yên's map of 1/7/2025 (Decree 45/2025 departments,
93 xã and 11 phường, a press unit) with the shipped succession file; months before the change
are reported against the old units, months after against the new, the year shows both with a
note on each unit that ended or started, and nobody reminds a unit that no longer exists.
The number of SQL statements stays the same from 30 units to 136.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from domain.presets import build_preset, find_province, parse_departments, plan_preset
from domain.registry_rows import SuccessionRow, parse_succession_csv
from reports import render, texts
from reports.compliance import month_report, year_report
from reports.figures import Standing
from scheduler.service import remind_due
from settings import DEFAULT_DEPARTMENTS_CSV, DEFAULT_UNITS_CSV
from storage.db import Database
from storage.models import Unit
from storage.registry_import import import_units
from storage.registry_preset import apply_preset, existing_units
from storage.succession import apply_succession
from tests.integration.reports.test_compliance import count_statements
from tests.support.paths import ROOT
from tests.support.seed import add_officer, add_submission, local, make_config

pytestmark = pytest.mark.integration
DATA = ROOT / "data"
PRESS = "bao-ptth-hung-yen=Báo và Phát thanh, Truyền hình Hưng Yên"
CONFIG = make_config(day="last")  # June's overdue step fires on 1/7, the first day of the map
RULES = CONFIG.rules


async def ids(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {str(c): int(i or 0) for c, i in await session.exec(select(Unit.code, Unit.id))}


async def thai_binh_2024(db: Database) -> dict[str, int]:
    """The default units, an officer and an address here and there, a product in June."""
    await import_units(db, DEFAULT_UNITS_CSV.read_text(encoding="utf-8"))
    units = await ids(db)
    await add_officer(db, units["so-y-te"], "Trần Bình", email="binh@syt.example.vn")
    await add_officer(db, units["h-hung-ha"], "Lê Hà", email="ha@hungha.example.vn")
    async with db.session() as session:
        from storage.registry import set_unit_addresses

        for code in ("h-hung-ha", "h-vu-thu"):
            await set_unit_addresses(
                session=session, unit_id=units[code], addresses=[f"vp@{code}.example.vn"]
            )
        await session.commit()
    await add_submission(db, units["h-hung-ha"], local(2025, 6, 10, 9))
    return units


async def move_to_2025_map(db: Database) -> dict[str, int]:
    """The Hưng Yên preset from 1/7/2025, then the shipped succession file."""
    departments = parse_departments(DEFAULT_DEPARTMENTS_CSV.read_text(encoding="utf-8"))
    wanted = build_preset(find_province("hung yen"), departments, press=[PRESS])
    async with db.session() as session:
        current = await existing_units(session=session)
    await apply_preset(db, plan_preset(current, wanted, on=date(2025, 7, 1)))
    rows = parse_succession_csv(
        (DATA / "succession-thai-binh-2025.csv").read_text(encoding="utf-8")
    )
    await apply_succession(db, rows, write=True)
    units = await ids(db)
    await add_officer(db, units["xa-than-khe"], "Phạm Khê", email="khe@thankhe.example.vn",
                      active_from=local(2025, 7, 1))  # fmt: skip
    await add_officer(db, units["xa-hung-ha"], "Đỗ Hưng", email="hung@xahungha.example.vn",
                      active_from=local(2025, 7, 1))  # fmt: skip
    await add_submission(db, units["xa-than-khe"], local(2025, 7, 10, 9))
    return units


async def test_months_before_and_after_the_change(database: Database) -> None:
    await thai_binh_2024(database)
    await move_to_2025_map(database)
    async with database.session() as session:
        june = await month_report(session=session, period="2025-06", rules=RULES,
                                  now=local(2025, 8, 5))  # fmt: skip
        july = await month_report(session=session, period="2025-07", rules=RULES,
                                  now=local(2025, 8, 5))  # fmt: skip
    june_codes = {r.unit_code: r for r in june.rows}
    july_codes = {r.unit_code: r for r in july.rows}
    # June: the 2024 units still existing (not the six departments merged on 1/3, nor the Đài
    # merged on 17/3) and the new Sở Nông nghiệp và Môi trường; no commune yet.
    assert len(june.rows) == 30 - 7 + 1
    assert june_codes["h-hung-ha"].standing is Standing.ON_TIME
    assert "xa-than-khe" not in june_codes and "so-thong-tin-truyen-thong" not in june_codes
    # July: the new map only (12 departments, 104 communes and wards, the press unit).
    assert len(july.rows) == 12 + 104 + 1
    assert not any(code.startswith(("h-", "tp-")) for code in july_codes)
    assert july_codes["xa-than-khe"].standing is Standing.ON_TIME
    assert [o.name for o in july_codes["xa-than-khe"].officers] == ["Phạm Khê"]
    # Grouped by kind with subtotals.
    grouped = render.grouped_month_rows(july, render.month_rows(july))
    labels = [row[2] for row in grouped if row[0] == ""]
    assert labels == [
        "I. Sở, ban, ngành", "Cộng sở, ban, ngành (12 đơn vị)",
        "II. Xã, phường, đặc khu", "Cộng xã, phường, đặc khu (104 đơn vị)",
        "III. Cơ quan báo chí", "Cộng cơ quan báo chí (1 đơn vị)",
        "Tổng cộng (117 đơn vị)",
    ]  # fmt: skip
    communes = next(row for row in grouped if row[2] == "Cộng xã, phường, đặc khu (104 đơn vị)")
    assert communes[3:7] == [1, 0, 0, "1/104 đã gửi"]
    assert "Theo loại: Sở, ban, ngành 0/12; Xã, phường, đặc khu 1/104; Cơ quan báo chí 0/1." in (
        texts.summary(july)
    )
    assert "II. Huyện, thành phố" in render.month_table(june)


async def test_the_year_shows_both_maps_with_notes(database: Database) -> None:
    await thai_binh_2024(database)
    await move_to_2025_map(database)
    async with database.session() as session:
        year = await year_report(session=session, year=2025, rules=RULES, now=local(2026, 1, 5))
    rows = {r.unit_code: r for r in year.rows}
    assert len(year.rows) == 30 + 106  # every unit that existed at some time in 2025
    hung_ha, than_khe = rows["h-hung-ha"], rows["xa-than-khe"]
    assert hung_ha.months[5] is Standing.ON_TIME and hung_ha.months[6:] == (None,) * 6
    assert than_khe.months[:6] == (None,) * 6 and than_khe.months[6] is Standing.ON_TIME
    assert hung_ha.note == (
        "Ngừng hoạt động từ 01/07/2025; kế thừa: Xã Hưng Hà, Xã Ngự Thiên, Xã Long Hưng "
        "… và 5 đơn vị khác"
    )
    assert than_khe.note == "Hoạt động từ 01/07/2025; tiếp nhận từ: Ủy ban nhân dân huyện Hưng Hà"
    assert rows["so-thong-tin-truyen-thong"].note == (
        "Ngừng hoạt động từ 01/03/2025; kế thừa: Sở Khoa học và Công nghệ"
    )
    assert rows["so-nong-nghiep-moi-truong"].note == (
        "Hoạt động từ 01/03/2025; tiếp nhận từ: Sở Nông nghiệp và Phát triển nông thôn, "
        "Sở Tài nguyên và Môi trường"
    )
    assert rows["so-y-te"].note == ""  # the same department before and after
    headers = render.year_headers(year)
    assert headers[-1] == "Ghi chú"
    grid = render.grouped_year_rows(year, render.year_rows(year))
    assert [row[2] for row in grid if row[0] == "" and str(row[2])[:1] in "IV"] == [
        "I. Sở, ban, ngành", "II. Huyện, thành phố", "III. Xã, phường, đặc khu",
        "IV. Cơ quan báo chí",
    ]  # fmt: skip
    districts = next(row for row in grid if row[2] == "Cộng huyện, thành phố (8 đơn vị)")
    assert districts[3 + 5] == "1/8" and districts[3 + 6] == ""  # June 1 of 8; July none


async def test_reminders_never_go_to_an_ended_unit(database: Database) -> None:
    """GIVEN h-vu-thu missing for June, with its own address, ended on 30/6 WHEN June's overdue
    reminder fires on 1/7 THEN the units that still exist are reminded and the district is not;
    July's reminders go to the communes' officers."""
    await thai_binh_2024(database)
    units = await move_to_2025_map(database)
    await add_submission(database, units["so-y-te"], local(2025, 7, 3, 9))
    result = await remind_due(db=database, config=CONFIG, now=local(2025, 7, 1, 8))
    assert result.steps == ("2025-06/overdue-1",)
    recipients = {m.recipient for m in result.new}
    assert recipients == {"binh@syt.example.vn"}  # so-y-te still exists and missed June
    assert not {m.unit_id for m in result.new} & {units["h-hung-ha"], units["h-vu-thu"]}
    # July's first reminder: the communes (and their officers), not the districts.
    assert not any("h-vu-thu" in m.recipient or "h-hung-ha" in m.recipient for m in result.new)
    july = await remind_due(db=database, config=CONFIG, now=local(2025, 7, 24, 8))
    assert july.steps == ("2025-07/before-7",)
    # Xã Hưng Hà has not sent; Xã Thần Khê has; Sở Y tế has; the districts are gone.
    assert {(m.unit_id, m.recipient) for m in july.new} == {
        (units["xa-hung-ha"], "hung@xahungha.example.vn")
    }


async def test_statement_count_does_not_grow_from_30_to_136_units(database: Database) -> None:
    """GIVEN the 30 units of 2024 (one closed into a successor) THEN the 136 units of the new
    map WHEN the month report, the year report and a reminder sweep run THEN the same number of
    SQL statements each time."""
    units = await thai_binh_2024(database)
    await apply_succession(
        database,
        [SuccessionRow(0, "h-vu-thu", "so-y-te", date(2025, 6, 30))],
        write=True,
    )
    counts = []
    for sweep_at in (local(2025, 7, 1, 8), None):
        if sweep_at is None:
            await move_to_2025_map(database)
            sweep_at = local(2025, 7, 24, 8)
        async with database.session() as session:
            with count_statements(database) as seen:
                month = await month_report(session=session, period="2025-06", rules=RULES,
                                           now=local(2025, 8, 5), internal=True)  # fmt: skip
                year = await year_report(session=session, year=2025, rules=RULES,
                                         now=local(2025, 8, 5))  # fmt: skip
        with count_statements(database) as swept:
            result = await remind_due(db=database, config=CONFIG, now=sweep_at)
        assert result.new  # something was recorded and enqueued both times
        counts.append((len(year.rows), len(month.rows), len(seen), len(swept)))
    assert (counts[0][0], counts[1][0]) == (30, 136)
    assert counts[0][2:] == counts[1][2:]
    assert units["h-vu-thu"] > 0


async def test_notes_for_units_closed_by_a_unit_csv(database: Database) -> None:
    """A successor given in the units CSV (no successor links) still names it in the note."""
    await import_units(
        database,
        "code,name_vi,kind,valid_from,valid_to,successor\n"
        "h-cu,Huyện Cũ,district,,2025-06-30,xa-moi\n"
        "xa-moi,Xã Mới,commune,2025-07-01,,\n"
        "so-y-te,Sở Y tế,department,,,\n",
    )
    async with database.session() as session:
        year = await year_report(session=session, year=2025, rules=RULES, now=local(2026, 1, 5))
    assert {r.unit_code: r.note for r in year.rows} == {
        "so-y-te": "",
        "h-cu": "Ngừng hoạt động từ 01/07/2025; kế thừa: Xã Mới",
        "xa-moi": "Hoạt động từ 01/07/2025",
    }
