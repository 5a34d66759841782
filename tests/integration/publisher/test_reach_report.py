"""A simulated month on the fake OA: daily syncs, then the report, the XLSX chart sheet, the
leadership mail with its inline chart and the officers' message, checked against the fake."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from domain.clock import FixedClock
from domain.kinds import UnitKind
from domain.periods import TZ
from outbox.email import build_email
from publisher.reach import SyncOptions, stats_client, sync_reach
from reports import render, xlsx
from reports.compliance import Rules, month_report, year_report
from reports.reach import with_reach, with_year_reach
from scheduler.config import SchedulerConfig
from scheduler.jobs import SchedulerComponent
from settings import SmtpSettings
from storage.db import Database
from storage.models import Officer, OutboxMessage, Unit
from storage.registry import upsert_unit
from tests.integration.publisher.world import World, make_world

pytestmark = pytest.mark.integration
LEADER = "lanhdao@stttt.example.vn"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ).astimezone(UTC)  # type: ignore[misc]


async def second_unit(world: World) -> int:
    async with world.db.session() as session:
        unit, _ = await upsert_unit(
            session=session, code="so-y-te", name="Sở Y tế", kind=UnitKind.DEPARTMENT
        )
        await session.commit()
        assert unit.id is not None
        return unit.id


async def add_officer(world: World, unit_code: str, email: str) -> None:
    async with world.db.session() as session:
        unit = (await session.exec(select(Unit).where(col(Unit.code) == unit_code))).one()
        session.add(
            Officer(unit_id=unit.id or 0, full_name="Cán bộ", email=email,
                    active_from=local(2026, 1, 1))
        )  # fmt: skip
        await session.commit()


async def with_year_reach_at(world: World, year: int) -> list[list[object]]:
    async with world.db.session() as session:
        grid = await year_report(session=session, year=year, rules=Rules(), now=world.clock.now())
        return render.year_reach_rows(await with_year_reach(session=session, report=grid))  # type: ignore[return-value]


async def sync_day(world: World) -> None:
    client = stats_client(world.settings, world.http, world.db, world.clock)
    result = await sync_reach(db=world.db, client=client, now=world.clock.now(),
                              options=SyncOptions(page_size=10))  # fmt: skip
    assert not result.dry_run and result.unseen == 0


async def simulate_november(world: World) -> dict[str, str]:
    """Articles published 3 Nov 2026; followers 1,000 on 31 Oct, +10 a day; views day by day.

    Returns the Zalo article id of each title."""
    world.clock.set(local(2026, 10, 31, 10))
    await world.login()
    world.fake.followers = 1000
    await sync_day(world)  # the reading before the month: its start
    yte = await second_unit(world)
    world.fake.next_day(followers=10)
    world.advance(timedelta(days=1))
    await sync_day(world)  # 1 Nov
    world.fake.next_day(followers=10)
    world.advance(timedelta(days=1))
    await sync_day(world)  # 2 Nov
    world.fake.next_day(followers=10)
    world.advance(timedelta(days=1))  # 3 Nov, 10:00: three articles go out
    await world.approved("kx-1", title="Kiến Xương một")
    await world.approved("kx-2", title="Kiến Xương hai")
    await world.approved("yt-1", title="Y tế một", unit_id=yte)
    assert await world.fresh().run_once() == 3
    ids = {a["title"]: a["id"] for a in world.fake.live_articles()}
    await sync_day(world)
    for day in range(4, 31):  # 4..30 Nov: the articles are read every day
        world.fake.next_day(
            {ids["Kiến Xương một"]: 40, ids["Kiến Xương hai"]: 10, ids["Y tế một"]: 25},
            shares={ids["Y tế một"]: 1},
            followers=10,
        )
        world.advance(timedelta(days=1))
        await sync_day(world)
        assert world.clock.now().astimezone(TZ).date() == date(2026, 11, day)
    for _ in range(3):  # 1..3 Dec: still read; followers count on
        world.fake.next_day({ids["Kiến Xương một"]: 1}, followers=10)
        world.advance(timedelta(days=1))
        await sync_day(world)
    return ids


async def test_a_month_of_reach_in_the_report_xlsx_mail_and_officer_message(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        ids = await simulate_november(world)
        await add_officer(world, "so-y-te", "canbo@syt.example.vn")
        articles = {a["id"]: a for a in world.fake.live_articles()}
        views = {t: articles[i]["total_view"] for t, i in ids.items()}
        assert views == {"Kiến Xương một": 27 * 40 + 3, "Kiến Xương hai": 270, "Y tế một": 675}
        now = world.clock.now()  # 3 Dec 2026, 10:00
        async with world.db.session() as session:
            report = await month_report(session=session, period="2026-11", rules=Rules(), now=now)
            report = await with_reach(session=session, report=report)
            year = await year_report(session=session, year=2026, rules=Rules(), now=now)
            year = await with_year_reach(session=session, report=year)
        reach = report.reach
        assert reach is not None and reach.as_of == date(2026, 12, 3)
        kx, yt = reach.of("ubnd-kien-xuong"), reach.of("so-y-te")
        assert (kx.articles, kx.views) == (2, views["Kiến Xương một"] + views["Kiến Xương hai"])
        assert (yt.articles, yt.views, yt.shares) == (1, 675, 27)
        assert kx.views_per_article == (1083 + 270) / 2
        # Start: the 31 Oct reading; end: the 30 Nov one (30 days of +10).
        assert (reach.oa.start, reach.oa.end, reach.oa.growth) == (1000, 1300, 300)
        assert reach.followers_trend[-2:] == (("2026-10", 1000), ("2026-11", 1300))
        assert reach.followers_trend[0] == ("2025-12", None)  # no reading then: a gap

        # CSV: the reach columns, a totals row, then the OA's followers.
        rows = list(csv.reader(io.StringIO(render.month_csv(report).decode("utf-8-sig"))))
        assert rows[0][-3:] == ["Tin, bài trên OA", "Lượt xem", "Lượt xem/bài"]
        by_code = {r[1]: r for r in rows[1:] if len(r) > 2 and r[1]}
        assert by_code["so-y-te"][-3:] == ["1", "675", "675.0"]
        assert by_code["ubnd-kien-xuong"][-3:] == ["2", "1353", "676.5"]
        # Two kinds of unit: each group has its subtotal (with its reach), then the grand total.
        assert [r[2] for r in rows[1:8]] == [
            "I. Sở, ban, ngành", "Sở Y tế", "Cộng sở, ban, ngành (1 đơn vị)",
            "II. Huyện, thành phố", "UBND huyện Kiến Xương",
            "Cộng huyện, thành phố (1 đơn vị)", "Tổng cộng (2 đơn vị)",
        ]  # fmt: skip
        assert rows[3][-3:] == ["1", "675", "675.0"] and rows[6][-3:] == ["2", "1353", "676.5"]
        assert rows[7][-3:] == ["3", "2028", "676.0"]
        assert rows[-3:] == [
            ["Người quan tâm OA đầu tháng", "1000"],
            ["Người quan tâm OA cuối tháng", "1300"],
            ["Tăng trong tháng", "300"],
        ]
        table = render.month_table(report)
        assert "Người quan tâm OA: 1.000 → 1.300 (+300)." in table
        assert (
            "Lượt xem các tin, bài đăng trên Trang Zalo OA trong tháng: 2.028 (3 tin, bài)."
            in table
        )

        # The yearly grid: November's views per unit, followers at each month's end.
        grid = render.year_reach_rows(year)
        kx_row = next(r for r in grid if r[1] == "ubnd-kien-xuong")
        assert kx_row[3 + 10] == 1353 and kx_row[3 + 9] == 0 and kx_row[-1] == 1353
        assert grid[-1][3 + 9 : 3 + 11] == [1000, 1300]
        next_year = await with_year_reach_at(world, 2027)
        assert next_year[0][3:15] == ["—"] * 12  # months still ahead: no figure at all
        assert (
            "LƯỢT XEM CÁC TIN, BÀI ĐĂNG TRÊN TRANG ZALO OA THEO THÁNG NĂM 2026"
            in render.year_table(year)
        )
        year_wb = load_workbook(io.BytesIO(xlsx.year_xlsx(year)))
        assert year_wb.sheetnames == ["Năm 2026", "Lượt xem 2026", "Biểu đồ"]
        views_sheet = year_wb["Lượt xem 2026"]
        assert [c.value for c in views_sheet[5]][13:16] == [675, 0, 675]  # Sở Y tế: Nov, Dec, year
        assert [year_wb["Biểu đồ"].cell(row=r, column=2).value for r in (12, 13, 14)] == [
            1000,
            1300,
            1330,
        ]  # fmt: skip  (December so far: its last reading, 3 Dec)

        # XLSX: print set-up, totals row, and a chart sheet with both charts.
        data = xlsx.month_xlsx(report)
        wb = load_workbook(io.BytesIO(data))
        assert wb.sheetnames == ["Tháng 11-2026", "Biểu đồ"]
        ws = wb["Tháng 11-2026"]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$1:$4"
        # Departments (heading, Sở Y tế, subtotal: rows 5-7) print on one page, districts
        # (rows 8-10) and the grand total on the next.
        assert [c.value for c in ws["C"][4:11]] == [
            "I. Sở, ban, ngành", "Sở Y tế", "Cộng sở, ban, ngành (1 đơn vị)",
            "II. Huyện, thành phố", "UBND huyện Kiến Xương", "Cộng huyện, thành phố (1 đơn vị)",
            "Tổng cộng (2 đơn vị)",
        ]  # fmt: skip
        assert [b.id for b in ws.row_breaks.brk] == [7]
        assert ws[11][-2].value == 2028 and ws[11][2].font.b
        assert [c.value for c in ws["C"][12:15]] == [
            "Người quan tâm OA đầu tháng", "Người quan tâm OA cuối tháng", "Tăng trong tháng",
        ]  # fmt: skip
        charts = wb["Biểu đồ"]
        assert [charts.cell(row=r, column=2).value for r in range(13, 15)] == [1000, 1300]
        # The units' views are copied under the followers (the report's rows are grouped).
        assert [[c.value for c in r] for r in charts["A17:B18"]] == [
            ["Sở Y tế", 675], ["UBND huyện Kiến Xương", 1353],
        ]  # fmt: skip
        with zipfile.ZipFile(io.BytesIO(data)) as parts:
            names = sorted(n for n in parts.namelist() if n.startswith("xl/charts/chart"))
            assert len(names) == 2
            xml = "".join(parts.read(n).decode() for n in names)
        assert "'Biểu đồ'!$B$3:$B$14" in xml  # followers month by month
        assert "'Biểu đồ'!$B$17:$B$18" in xml  # views by unit
        assert "'Biểu đồ'!$A$17:$A$18" in xml  # their names

        # The report day: the leadership mail (HTML with the chart inline) and the officers.
        world.clock.set(local(2026, 12, 3, 10))
        config = SchedulerConfig(leadership_emails=(LEADER,))
        component = SchedulerComponent(db=world.db, files=world.files, config=config,
                                       clock=FixedClock(world.clock.now()))  # fmt: skip
        await component.run_report()
        await component.run_report()  # once only
        async with world.db.session() as session:
            outbox = await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
            messages = {m.key: m for m in outbox.all()}
        mail = messages[f"report:2026-11:email:{LEADER}"]
        assert mail.html is not None and 'src="cid:bieu-do-nguoi-quan-tam"' in mail.html
        assert "1.000 → 1.300 (+300)" in mail.body
        smtp = SmtpSettings(host="localhost", from_address="newsdesk@stttt.example.vn")
        mime = build_email(mail, settings=smtp, files=world.files)
        kinds = [part.get_content_type() for part in mime.walk()]
        assert kinds[:5] == [
            "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related",
            "text/html",
        ]  # fmt: skip
        [png] = [p for p in mime.walk() if p.get_content_type() == "image/png"]
        assert png["Content-ID"] == "<bieu-do-nguoi-quan-tam>"
        assert png.get_payload(decode=True)[:8] == b"\x89PNG\r\n\x1a\n"
        assert [p.get_filename() for p in mime.iter_attachments()] == [
            "bao-cao-2026-11.xlsx", "bao-cao-2026-11.csv",
        ]  # fmt: skip
        told = [m for k, m in messages.items() if k.startswith("reach:2026-11:")]
        assert [(m.recipient, m.channel) for m in told] == [("canbo@syt.example.vn", "email")]
        assert "1 tin, bài của đơn vị đăng trên Trang Zalo OA “" in told[0].body
        assert "” đã có 675 lượt xem" in told[0].body and "Newsdesk" not in told[0].body
        assert re.search(r"xếp hạng|đứng thứ", told[0].body) is None  # no ranking of others


async def test_without_credentials_everything_shows_a_dash(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path, live=False) as world:
        await world.approved("d")
        await world.fresh().run_once()  # published as a dry run
        now = world.clock.now()
        async with world.db.session() as session:
            report = await month_report(session=session, period="2026-11", rules=Rules(), now=now)
            report = await with_reach(session=session, report=report)
        assert report.reach is not None and report.reach.as_of is None
        [row] = render.month_rows(report)
        assert row[-3:] == [0, "—", "—"]
        assert render.oa_rows(report.reach) == [
            ["Người quan tâm OA đầu tháng", "—"],
            ["Người quan tâm OA cuối tháng", "—"],
            ["Tăng trong tháng", "—"],
        ]
        assert "chưa có số liệu từ Zalo OA" in render.month_table(report)
        wb = load_workbook(io.BytesIO(xlsx.month_xlsx(report)))
        charts = wb["Biểu đồ"]
        assert all(charts.cell(row=r, column=2).value is None for r in range(3, 15))
        config = SchedulerConfig(leadership_emails=(LEADER,))
        world.clock.set(local(2026, 12, 3, 10))
        component = SchedulerComponent(db=world.db, files=world.files, config=config,
                                       clock=FixedClock(world.clock.now()))  # fmt: skip
        await component.run_report()
        async with world.db.session() as session:
            outbox = list((await session.exec(select(OutboxMessage))).all())
        [mail] = [m for m in outbox if m.key.startswith("report:")]
        assert mail.html is not None and "cid:" not in mail.html  # no chart without figures
        assert not [m for m in outbox if m.key.startswith("reach:")]
