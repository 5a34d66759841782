"""Real-browser tests: Chromium opens a login link, reads the board, approves on the desk while
a Telegram press races it, edits an article's body, imports officers and units with an error
(nothing written). A screenshot of each page is kept under the run's tmp directory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from sqlmodel import select

from domain.kinds import UnitKind
from domain.states import SubmissionStatus as S
from storage.db import Database
from storage.files import FileStore
from storage.logins import Role
from storage.models import AuditEvent, Officer, Submission, Unit
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.integration.web.console.desk_seed import submit
from tests.integration.web.console.harness import NOW, ConsoleFactory
from tests.support.bot import running_bot
from tests.support.seed import add_submission, add_unit, local
from tgbot.callbacks import Action, review_data

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as database:
        yield database


async def shot(page: Any, folder: Path, name: str) -> None:
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def test_leader_logs_in_with_a_link_and_reads_the_board(
    db: Database, make_console: ConsoleFactory, browser_page: Any, screenshots: Path
) -> None:
    page = browser_page
    yte = await add_unit(db, "so-yte", "Sở Y tế")
    await add_unit(db, "xa", "Xã An Bình", kind=UnitKind.COMMUNE)
    await add_submission(db, yte, local(2026, 6, 10, 9), status=S.PUBLISHED)
    console = await make_console(db, schedule={"deadline_day": 25})
    base = str(console.server.make_url("/"))
    token = await console.link(Role.LEADER)

    await page.goto(f"{base}dang-nhap/{token}")
    await shot(page, screenshots, "01-xac-nhan-dang-nhap")
    await page.click("#login")
    await page.wait_for_url(base)
    assert "Tình hình gửi tin, bài năm 2026" in await page.inner_text("h1")
    await shot(page, screenshots, "02-bang-theo-doi")
    row = page.locator("tr", has=page.locator("a", has_text="Sở Y tế"))
    assert await row.locator("td").nth(5).get_attribute("class") == "p"  # published (green)
    assert "Nguyễn Văn Lãnh" in await page.inner_text("header")
    assert await page.locator("a[href='/duyet']").count() == 0  # a leader reads, does not decide

    await page.click("text=Sở Y tế")
    assert await page.inner_text("h1") == "Sở Y tế"
    await shot(page, screenshots, "03-don-vi")
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert cookies["nd_session"]["httpOnly"] and cookies["nd_session"]["sameSite"] == "Lax"

    await page.goto(f"{base}dang-nhap/{token}")  # the link is spent
    await page.click("#login")
    assert "không hợp lệ hoặc đã được dùng" in await page.inner_text("main")
    assert page.errors == []  # type: ignore[attr-defined]  # no CSP violation, no script error


async def test_editor_approves_while_a_telegram_press_races(
    fake_telegram: FakeTelegram,
    db: Database,
    files: FileStore,
    make_console: ConsoleFactory,
    browser_page: Any,
    screenshots: Path,
) -> None:
    page = browser_page
    async with running_bot(fake_telegram, db, files) as h:
        await h.link_lan()
        console = await make_console(db)
        assert h.bot.cards is not None
        console.deps.wake_cards = h.bot.cards.wake
        base = str(console.server.make_url("/"))
        h.fake.inject_text(h.lan, "Tin về ngày hội Hà Nội")
        await h.send_draft(h.lan)
        await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài")
        sub = await h.submission()
        assert sub.id is not None
        card = await h.card(sub.id, sub.version)

        await page.goto(f"{base}dang-nhap/{await console.link(Role.EDITOR)}")
        await page.click("#login")
        await page.wait_for_url(base)
        await page.goto(f"{base}duyet")
        await page.fill("#q", "ha noi")  # htmx filters as one types; no accents needed
        async with asyncio.timeout(10):  # htmx swapped the rows in and pushed the URL
            while "q=ha noi" not in unquote_plus(page.url):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        await page.locator("table.desk a", has_text=sub.code).wait_for()
        await shot(page, screenshots, "04-ban-duyet")
        await page.click(f"text={sub.code}")
        await page.locator("#approve").wait_for()
        await shot(page, screenshots, "05-bai-gui")

        data = review_data(Action.APPROVE, sub.id, sub.version)
        press = h.fake.press(h.an, card, data)  # Telegram and the browser at the same moment
        await asyncio.gather(page.click("#approve"), h.answer(press))
        await page.locator("#status").wait_for()
        await shot(page, screenshots, "06-sau-khi-duyet")
        assert "Đã duyệt" in await page.inner_text("#status")
        async with db.session() as session:
            decided = (
                await session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.submission_id == sub.id)
                    .where(AuditEvent.action == "review.approved")
                )
            ).all()
            final = await session.get(Submission, sub.id, populate_existing=True)
        assert len(decided) == 1 and final is not None and final.status == S.APPROVED
        outcome = await page.inner_text("#outcome")
        web_won = decided[0].actor.startswith("web:")
        expected = "Đã duyệt tin, bài" if web_won else "đã được Trần Văn An xử lý"
        assert expected in outcome
        await h.card(sub.id, final.version)  # the card follows, whoever won
        assert page.errors == []  # type: ignore[attr-defined]


async def test_admin_imports_a_csv_with_an_error_then_opens_the_qr_poster(
    db: Database, make_console: ConsoleFactory, browser_page: Any, screenshots: Path
) -> None:
    page = browser_page
    unit = await add_unit(db, "so-yte", "Sở Y tế")
    console = await make_console(db, zalo={"follow_url": "https://zalo.me/123456789"})
    base = str(console.server.make_url("/"))
    await page.goto(f"{base}dang-nhap/{await console.link(Role.ADMIN)}")
    await page.click("#login")
    await page.wait_for_url(base)
    await page.goto(f"{base}danh-muc")
    csv = (
        "unit_code,full_name,position,phone,email\n"
        "so-yte,Nguyễn Thị Lan,Chuyên viên,0912345678,lan@syt.gov.vn\n"
        "so-khong-co,Trần Văn Bình,Phó phòng,,binh@x.vn\n"
    )
    await page.set_input_files(
        "#csv-file",
        files=[{"name": "can-bo.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}],
    )
    await shot(page, screenshots, "07-danh-muc")
    await page.click("#preview")
    await page.locator("#problems").wait_for()
    assert "dòng 3: không có đơn vị mã 'so-khong-co'" in await page.inner_text("#problems")
    await shot(page, screenshots, "08-nhap-csv-loi")
    async with db.session() as session:
        assert (await session.exec(select(Officer))).all() == []  # nothing written

    await page.goto(f"{base}don-vi/{unit}/ap-phich")
    assert await page.inner_text("#unit-name") == "Sở Y tế"
    assert await page.locator("svg").count() == 1
    await shot(page, screenshots, "09-ap-phich-qr")
    async with page.expect_download() as download:
        await page.click("#png")
    assert (await download.value).suggested_filename == "ma-qr-so-yte.png"
    assert page.errors == []  # type: ignore[attr-defined]


async def test_editor_edits_the_body_in_the_browser(
    db: Database,
    files: FileStore,
    make_console: ConsoleFactory,
    browser_page: Any,
    screenshots: Path,
) -> None:
    page = browser_page
    unit = await add_unit(db, "so-yte", "Sở Y tế")
    sid = await submit(
        db, files, key="a", title="Hội nghị y tế", text="Đoạn một.\n\nĐoạn hai.",
        at=NOW, unit_id=unit, image=True,
    )  # fmt: skip
    console = await make_console(db)
    base = str(console.server.make_url("/"))
    await page.goto(f"{base}dang-nhap/{await console.link(Role.EDITOR)}")
    await page.click("#login")
    await page.wait_for_url(base)
    await page.goto(f"{base}duyet/{sid}")
    assert await page.input_value("#body") == "Đoạn một.\n\nĐoạn hai."
    await page.fill("#body", "Đoạn một.\n\nĐoạn hai, biên tập viên đã sửa.")
    await shot(page, screenshots, "10-sua-noi-dung")
    await page.click("#save-article")
    await page.locator("#outcome").wait_for()
    assert "Đã lưu thay đổi" in await page.inner_text("#outcome")
    frame = page.frame_locator("iframe.preview")
    await frame.locator("text=Đoạn hai, biên tập viên đã sửa.").wait_for()
    await shot(page, screenshots, "11-sau-khi-sua")
    async with db.session() as session:
        edited = await session.get(Submission, sid, populate_existing=True)
    assert edited is not None and edited.revision == 2
    assert page.errors == []  # type: ignore[attr-defined]


async def test_admin_imports_units_with_an_error_then_a_good_file(
    db: Database, make_console: ConsoleFactory, browser_page: Any, screenshots: Path
) -> None:
    page = browser_page
    await add_unit(db, "so-yte", "Sở Y tế")
    console = await make_console(db)
    base = str(console.server.make_url("/"))
    await page.goto(f"{base}dang-nhap/{await console.link(Role.ADMIN)}")
    await page.click("#login")
    await page.wait_for_url(base)
    good = "code,name_vi,kind\nso-yte,Sở Y tế tỉnh,department\nxa-moi,Xã Mới,commune\n"
    for csv, name in [(good + "xa-sai,Xã Sai,village\n", "bad"), (good, "good")]:
        await page.goto(f"{base}danh-muc")
        await page.set_input_files(
            "#units-file",
            files=[{"name": "don-vi.csv", "mimeType": "text/csv", "buffer": csv.encode()}],
        )
        await page.click("#units-preview")
        if name == "bad":
            await page.locator("#problems").wait_for()
            assert "dòng 4: loại đơn vị không hợp lệ: 'village'" in await page.inner_text(
                "#problems"
            )
            await shot(page, screenshots, "12-nhap-don-vi-loi")
        else:
            await page.locator("#plan").wait_for()
            assert "Sẽ thêm 1 đơn vị mới, cập nhật 1 đơn vị" in await page.inner_text("#plan")
            await shot(page, screenshots, "13-nhap-don-vi-xem-truoc")
        async with db.session() as session:  # nothing written by an error or a preview
            names = {u.code: u.name for u in (await session.exec(select(Unit))).all()}
        assert names == {"so-yte": "Sở Y tế"}
    await page.click("#confirm")
    await page.locator("#done").wait_for()
    async with db.session() as session:
        names = {u.code: u.name for u in (await session.exec(select(Unit))).all()}
    assert names == {"so-yte": "Sở Y tế tỉnh", "xa-moi": "Xã Mới"}
    assert page.errors == []  # type: ignore[attr-defined]
