"""The compliance board (home page), the unit page and the report downloads."""

from __future__ import annotations

import io
from datetime import date

import pytest
from lxml import html
from openpyxl import load_workbook
from sqlmodel import select

from domain.kinds import UnitKind
from domain.states import SubmissionStatus as S
from outbox.store import EMAIL, enqueue
from storage.db import Database
from storage.logins import Role
from storage.models import ArticleStat, OutboxMessage, Publication, Reminder, Submission
from storage.registry import get_unit_by_code
from tests.integration.web.console.harness import ConsoleFactory
from tests.support.seed import add_officer, add_submission, add_unit, local
from web.console.board import CSS, PAGE_UNITS

pytestmark = pytest.mark.integration


async def seed(db: Database) -> dict[str, int]:
    ids = {
        "xa": await add_unit(db, "xa-an", "Xã An Bình", kind=UnitKind.COMMUNE),
        "huyen": await add_unit(db, "huyen", "Huyện Đông Hưng", kind=UnitKind.DISTRICT),
        "so-b": await add_unit(db, "so-b", "Sở Y tế", kind=UnitKind.DEPARTMENT),
        "so-a": await add_unit(
            db, "so-a", "Sở Giáo dục", kind=UnitKind.DEPARTMENT, valid_from=date(2026, 3, 1)
        ),
    }
    await add_unit(db, "khong", "Đơn vị không tính", counted=False)
    june = local(2026, 6, 10, 9)
    await add_submission(db, ids["so-b"], june, status=S.PUBLISHED, title="Tin Hà Nội")
    await add_submission(db, ids["so-b"], june, status=S.PENDING_REVIEW)
    await add_submission(db, ids["huyen"], june, status=S.PENDING_REVIEW)
    await add_submission(db, ids["xa"], june, status=S.REJECTED)
    await add_officer(
        db, ids["so-b"], "Nguyễn Thị Lan", email="lan@syt.gov.vn", phone="+84912345678"
    )
    return ids


def cells(page: str, unit: str) -> list[tuple[str, str]]:
    """(state, count) of the 12 months in a unit's row."""
    tree = html.fromstring(page)
    [row] = [tr for tr in tree.iter("tr") if tr.findtext("th/a") == unit]
    states = {css: state.value for state, css in CSS.items()}
    return [(states[td.get("class", "")], td.text_content().strip()) for td in row.iter("td")]


async def test_board_groups_colours_counts_and_totals(
    database: Database, make_console: ConsoleFactory
) -> None:
    ids = await seed(database)
    console = await make_console(database, schedule={"deadline_day": 25})
    client = await console.client(Role.LEADER)
    response = await client.get("/?nam=2026")
    page = await response.text()
    assert response.status == 200 and "Tình hình gửi tin, bài năm 2026" in page
    tree = html.fromstring(page)
    groups = [th.text_content() for th in tree.xpath("//tr[@class='group']/th")]
    assert groups == ["Sở, ban, ngành", "Huyện, thành phố", "Xã, phường, đặc khu"]
    units = [a.text for a in tree.xpath("//th[@class='unit']/a")]
    assert units == ["Sở Giáo dục", "Sở Y tế", "Huyện Đông Hưng", "Xã An Bình"]
    assert "Đơn vị không tính" not in page
    assert cells(page, "Sở Y tế")[5] == ("published", "2")
    assert cells(page, "Huyện Đông Hưng")[5] == ("submitted", "1")
    assert cells(page, "Xã An Bình")[5] == ("missing", "1")  # rejected does not count
    assert cells(page, "Sở Y tế")[6] == ("open", "")  # July: deadline 25/07 still ahead
    assert cells(page, "Sở Y tế")[4] == ("missing", "")
    assert [c[0] for c in cells(page, "Sở Giáo dục")[:3]] == ["not_counted"] * 2 + ["missing"]
    totals = [td.text for td in tree.xpath("//tr[@class='totals']/td")]
    assert totals[5] == "2/4" and totals[0] == "0/3"
    deadlines = [th.text for th in tree.xpath("//tr[@class='deadline']/th")][1:]
    assert deadlines[5] == "25/06"
    assert f'href="/don-vi/{ids["so-b"]}"' in page
    assert 'href="/bao-cao?nam=2026&amp;dang=xlsx"' in page


async def test_report_downloads_use_the_report_renderers(
    database: Database, make_console: ConsoleFactory
) -> None:
    await seed(database)
    console = await make_console(database, schedule={"deadline_day": 25})
    client = await console.client(Role.LEADER)
    csv = await client.get("/bao-cao?nam=2026&dang=csv")
    assert csv.status == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert "Sở Y tế" in (await csv.read()).decode("utf-8-sig")
    book = await client.get("/bao-cao?thang=2026-06&dang=xlsx")
    assert 'filename="bao-cao-2026-06.xlsx"' in book.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(await book.read())).active
    assert sheet is not None
    assert "Huyện Đông Hưng" in [c.value for row in sheet.iter_rows() for c in row]
    bad = await client.get("/bao-cao?thang=2026-13&dang=csv")
    assert bad.status == 400 and "Tháng không hợp lệ" in await bad.text()


async def test_unit_page_lists_officers_addresses_submissions_and_reminders(
    database: Database, make_console: ConsoleFactory
) -> None:
    ids = await seed(database)
    async with database.session() as session:
        await enqueue(
            session=session,
            key="remind:test",
            channel=EMAIL,
            recipient="lan@syt.gov.vn",
            subject="Nhắc gửi tin",
            body="…",
        )
        message = (await session.exec(select(OutboxMessage))).one()
        session.add(
            Reminder(
                unit_id=ids["so-b"],
                period="2026-06",
                step="3",
                channel="email",
                recipient="lan@syt.gov.vn",
                outbox_id=message.id,
            )
        )
        await session.commit()
    console = await make_console(database)
    leader, admin = await console.client(Role.LEADER), await console.client(Role.ADMIN)
    page = await (await leader.get(f"/don-vi/{ids['so-b']}")).text()
    assert "Nguyễn Thị Lan" in page and "lan@syt.gov.vn" in page and "Tin Hà Nội" in page
    assert "2026-06" in page and "chưa gửi" in page
    assert "+84912345678" not in page  # phone numbers are registry data: admins only
    assert "+84912345678" in await (await admin.get(f"/don-vi/{ids['so-b']}")).text()
    assert (await leader.get("/don-vi/99999")).status == 404


async def test_board_pages_units_with_totals_of_all_and_reach_in_the_cells(
    database: Database, make_console: ConsoleFactory
) -> None:
    """A page shows PAGE_UNITS rows in report order; the totals row counts every unit; a
    cell's title carries the unit's articles on the OA with their latest views and shares."""
    ids = await seed(database)
    many = [
        await add_unit(database, f"xa-{i:03d}", f"Xã Số {i:03d}", kind=UnitKind.COMMUNE)
        for i in range(PAGE_UNITS)
    ]
    june = local(2026, 6, 10, 9)
    await add_submission(database, many[-1], june, status=S.PENDING_REVIEW)
    # Units that must not count: one not counted at all, one before it existed (from March).
    async with database.session() as session:
        uncounted = await get_unit_by_code(session=session, code="khong")
    assert uncounted is not None
    await add_submission(database, uncounted.id, june, status=S.PENDING_REVIEW)
    await add_submission(database, ids["so-a"], local(2026, 2, 10, 9), status=S.PUBLISHED)
    async with database.session() as session:
        [published] = (
            await session.exec(select(Submission).where(Submission.title == "Tin Hà Nội"))
        ).all()
        assert published.id is not None
        session.add(
            Publication(
                submission_id=published.id, status="published", article_id="art-1",
                published_at=june, url="https://oa.example/a/1",
            )
        )  # fmt: skip
        session.add(ArticleStat(article_id="art-1", day=date(2026, 7, 1), views=120, shares=4))
        await session.commit()
    console = await make_console(database, schedule={"deadline_day": 25})
    client = await console.client(Role.LEADER)
    first = await (await client.get("/?nam=2026")).text()
    second = await (await client.get("/?nam=2026&trang=2")).text()
    rows = [a.text for a in html.fromstring(first).xpath("//th[@class='unit']/a")]
    rest = [a.text for a in html.fromstring(second).xpath("//th[@class='unit']/a")]
    assert len(rows) == PAGE_UNITS and rows[:3] == ["Sở Giáo dục", "Sở Y tế", "Huyện Đông Hưng"]
    assert rest == ["Xã Số 096", "Xã Số 097", "Xã Số 098", "Xã Số 099"]
    assert "Trang 1/2" in first and 'href="/?nam=2026&amp;trang=2"' in first
    assert "Trang 2/2" in second and 'rel="next"' not in second
    for page in (first, second):  # the totals row counts every unit, on every page
        totals = [td.text for td in html.fromstring(page).xpath("//tr[@class='totals']/td")]
        assert totals[5] == f"3/{4 + PAGE_UNITS}" and totals[1] == f"0/{3 + PAGE_UNITS}"
    assert cells(second, "Xã Số 099")[5] == ("submitted", "1")
    [cell] = html.fromstring(first).xpath(f"//a[@href='/don-vi/{ids['so-b']}']/../../td[6]")
    assert cell.get("title") == "1 bài trên Trang Zalo OA · 120 lượt xem · 4 lượt chia sẻ"
    assert (await client.get("/?nam=2026&trang=x")).status == 400
    far = await (await client.get("/?nam=2026&trang=99")).text()
    assert "Trang 2/2" in far  # past the end: the last page
