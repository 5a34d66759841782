"""The review desk: queue, filters, search without diacritics, the submission page, actions."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from lxml import html
from sqlmodel import select

from domain.kinds import Channel, SubmissionKind, UnitKind
from storage.db import Database
from storage.files import FileStore
from storage.logins import Role
from storage.models import AuditEvent, OutboxMessage, Submission
from tests.integration.web.console.desk_seed import PNG, revise, submit
from tests.integration.web.console.harness import NOW, Console, ConsoleFactory, csrf_of
from tests.support.seed import add_submission, add_unit
from web.console.desk import PAGE_SIZE, REASON_NEEDED

pytestmark = pytest.mark.integration


def codes(page: str) -> list[str]:
    return [a.text for a in html.fromstring(page).xpath("//table[contains(@class,'desk')]//a")]


async def sub(db: Database, submission_id: int) -> Submission:
    async with db.session() as session:
        found = await session.get(Submission, submission_id, populate_existing=True)
    assert found is not None
    return found


async def post(console: Console, client, submission_id: int, **form: str):  # type: ignore[no-untyped-def]
    response = await client.post(f"/duyet/{submission_id}", data={"csrf": csrf_of(client), **form})
    return response.status, await response.text()


async def test_queue_filters_and_search_ignore_diacritics(
    database: Database, files: FileStore, make_console: ConsoleFactory
) -> None:
    yte = await add_unit(database, "so-yte", "Sở Y tế")
    xa = await add_unit(database, "xa", "Xã An Bình", kind=UnitKind.COMMUNE)
    hanoi = await submit(
        database, files, key="a", title="Đoàn công tác Hà Nội", text="…", at=NOW, unit_id=yte
    )
    body = await submit(
        database, files, key="b", title="Hội nghị", text="Tổ chức tại Hà Nội năm 2026",
        at=NOW + timedelta(minutes=1), unit_id=xa, channel=Channel.TELEGRAM,
        kind=SubmissionKind.ARTICLE,
    )  # fmt: skip
    other = await submit(
        database, files, key="c", title="Ngày hội hiến máu", text="Đà Nẵng",
        at=NOW + timedelta(minutes=2), unit_id=None,
    )  # fmt: skip
    console = await make_console(database)
    client = await console.client(Role.EDITOR)
    subs = {i: (await sub(database, i)).code for i in (hanoi, body, other)}

    page = await (await client.get("/duyet")).text()
    assert codes(page) == [subs[hanoi], subs[body], subs[other]]  # quarantined too, oldest first
    found = await (await client.get("/duyet", params={"q": "ha noi"})).text()
    assert codes(found) == [subs[hanoi], subs[body]]
    assert codes(await (await client.get("/duyet", params={"q": "HÀ NỘI"})).text()) == codes(found)
    assert codes(await (await client.get("/duyet", params={"q": "da nang"})).text()) == [
        subs[other]
    ]
    assert codes(await (await client.get("/duyet", params={"don_vi": str(xa)})).text()) == [
        subs[body]
    ]
    assert codes(await (await client.get("/duyet", params={"kenh": "telegram"})).text()) == [
        subs[body]
    ]
    assert codes(await (await client.get("/duyet", params={"loai": "article"})).text()) == [
        subs[body]
    ]
    assert codes(await (await client.get("/duyet", params={"thang": "2026-06"})).text()) == []
    assert codes(
        await (await client.get("/duyet", params={"trang_thai": "quarantined"})).text()
    ) == [subs[other]]
    partial = await client.get("/duyet", params={"q": "ha noi"}, headers={"HX-Request": "true"})
    text = await partial.text()
    assert "<html" not in text and codes(text) == [subs[hanoi], subs[body]]
    bad = await client.get("/duyet", params={"loai": "moon"})
    assert bad.status == 400 and "Bộ lọc không hợp lệ" in await bad.text()


async def test_submission_page_preview_versions_attachments_and_audit(
    database: Database, files: FileStore, make_console: ConsoleFactory
) -> None:
    unit = await add_unit(database, "so-yte", "Sở Y tế")
    sid = await submit(
        database, files, key="a", title="Hội nghị y tế", text="Đoạn một.\n\nĐoạn hai.",
        at=NOW, unit_id=unit, image=True,
    )  # fmt: skip
    console = await make_console(database)
    client = await console.client(Role.EDITOR)
    version = (await sub(database, sid)).version
    status, _ = await post(
        console, client, sid, action="changes", version=str(version), reason="Thêm ảnh"
    )
    assert status == 200
    await revise(
        database,
        files,
        sid,
        key="a2",
        title="Hội nghị y tế tỉnh",
        text="Đoạn một.\n\nĐoạn ba.",
        at=NOW,
    )

    response = await client.get(f"/duyet/{sid}")
    page = await response.text()
    assert response.status == 200 and "Hội nghị y tế tỉnh" in page
    assert "-Tiêu đề: Hội nghị y tế" in page and "+Đoạn ba." in page  # what changed
    assert "review.changes_requested" in page and "Thêm ảnh" in page  # the audit trail
    [link] = re.findall(r'href="(/duyet/\d+/tep/\d+)">anh-1.png', page)
    image = await client.get(link)
    assert image.status == 200 and await image.read() == PNG
    assert image.headers["Content-Type"] == "image/png"
    preview = await client.get(f"/duyet/{sid}/xem-truoc")
    text = await preview.text()
    assert "Hội nghị y tế tỉnh" in text and "Sở Y tế" in text and link in text
    assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]
    assert "script" not in preview.headers["Content-Security-Policy"].replace("'none'", "")
    other = await submit(database, files, key="z", title="Khác", text="…", at=NOW, unit_id=unit)
    assert (await client.get(link.replace(f"/duyet/{sid}/", f"/duyet/{other}/"))).status == 404


async def test_actions_go_through_the_review_service_with_compare_and_set(
    database: Database, files: FileStore, make_console: ConsoleFactory
) -> None:
    unit = await add_unit(database, "so-yte", "Sở Y tế")
    sid = await submit(database, files, key="a", title="Tin cũ", text="…", at=NOW, unit_id=unit)
    console = await make_console(database)
    editor, other = await console.client(Role.EDITOR), await console.client(Role.ADMIN)
    v = (await sub(database, sid)).version

    status, page = await post(console, editor, sid, action="reject", version=str(v), reason=" ")
    assert status == 409 and REASON_NEEDED in page
    status, page = await post(
        console, editor, sid, action="edit", version=str(v), title="Tin mới",
        summary="Tóm tắt", kind="article",
    )  # fmt: skip
    assert status == 200 and "Đã lưu thay đổi" in page
    edited = await sub(database, sid)
    assert (edited.title, edited.summary, edited.kind) == ("Tin mới", "Tóm tắt", "article")
    status, page = await post(
        console,
        editor,
        sid,
        action="schedule",
        version=str(edited.version),
        publish_at="08:00 25/07/2026",
    )
    assert status == 200
    scheduled = await sub(database, sid)
    assert scheduled.publish_at is not None and scheduled.publish_at.hour == 1  # 08:00 in Hà Nội

    status, page = await post(console, other, sid, action="approve", version=str(v))  # stale page
    assert status == 409 and "vừa được thay đổi" in page

    status, page = await post(
        console, editor, sid, action="approve", version=str(scheduled.version)
    )
    assert status == 200 and "Đã duyệt tin, bài" in page and 'id="approve"' not in page
    status, page = await post(
        console, other, sid, action="reject", version=str(scheduled.version), reason="Trùng"
    )
    assert status == 409
    assert re.search(r"đã được Trần Thị Biên xử lý \(Đã duyệt\) lúc \d\d:\d\d", page)
    assert "Đã duyệt" in html.fromstring(page).get_element_by_id("status").text
    async with database.session() as session:
        decided = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "review.approved"))
        ).all()
        mails = (await session.exec(select(OutboxMessage))).all()
    assert [e.actor for e in decided] == [f"web:editor:{console.people[Role.EDITOR]}"]
    assert len([m for m in mails if m.recipient == "lan@syt.gov.vn"]) == 1  # the submitter told
    assert {"cards", "outbox", "publisher"} <= set(console.wakes)


async def test_two_browsers_approve_at_once_exactly_one_decides(
    pg_database: Database, files: FileStore, make_console: ConsoleFactory
) -> None:
    unit = await add_unit(pg_database, "so-yte", "Sở Y tế")
    sid = await submit(pg_database, files, key="a", title="Tin", text="…", at=NOW, unit_id=unit)
    console = await make_console(pg_database)
    a, b = await console.client(Role.EDITOR), await console.client(Role.ADMIN)
    v = str((await sub(pg_database, sid)).version)
    results = await asyncio.gather(
        post(console, a, sid, action="approve", version=v),
        post(console, b, sid, action="reject", version=v, reason="Trùng"),
    )
    assert sorted(status for status, _ in results) == [200, 409]
    async with pg_database.session() as session:
        events = (await session.exec(select(AuditEvent))).all()
    assert len([e for e in events if e.action in ("review.approved", "review.rejected")]) == 1


async def test_search_follows_edits_and_the_queue_pages(
    database: Database, files: FileStore, make_console: ConsoleFactory
) -> None:
    """The folded-text index is refreshed from the submission's version: an edited title is
    found by its new words, no longer by the old; the queue shows one page of PAGE_SIZE."""
    unit = await add_unit(database, "so-yte", "Sở Y tế")
    sid = await submit(
        database, files, key="a", title="Tin Thái Bình", text="…", at=NOW, unit_id=unit
    )
    console = await make_console(database)
    client = await console.client(Role.EDITOR)
    code = (await sub(database, sid)).code
    assert codes(await (await client.get("/duyet", params={"q": "thai binh"})).text()) == [code]
    v = (await sub(database, sid)).version
    status, _ = await post(console, client, sid, action="edit", version=str(v), title="Tin Huế")
    assert status == 200
    assert codes(await (await client.get("/duyet", params={"q": "thai binh"})).text()) == []
    assert codes(await (await client.get("/duyet", params={"q": "HUE"})).text()) == [code]
    assert codes(await (await client.get("/duyet", params={"q": "100%_"})).text()) == []

    for minute in range(PAGE_SIZE):
        await add_submission(database, unit, NOW + timedelta(days=20, minutes=minute))  # August
    first = await (await client.get("/duyet", params={"ma_don_vi": "so-yte"})).text()
    second = await (
        await client.get("/duyet", params={"ma_don_vi": "so-yte", "trang": "2"})
    ).text()
    assert len(codes(first)) == PAGE_SIZE and codes(first)[0] == code
    assert len(codes(second)) == 1 and codes(second)[0] not in codes(first)
    assert f"{PAGE_SIZE + 1} bài · trang 1/2" in first
    assert 'href="/duyet?ma_don_vi=so-yte&amp;trang=2"' in first


async def test_body_and_cover_edit_is_a_revision_through_review_edits(
    database: Database, files: FileStore, make_console: ConsoleFactory
) -> None:
    """The page's body edit is review.edits.edit_article: revision n+1 by the editor, audited,
    in the preview; compare-and-set: a stale page changes nothing and says what happened."""
    unit = await add_unit(database, "so-yte", "Sở Y tế")
    sid = await submit(
        database, files, key="a", title="Hội nghị y tế", text="Đoạn một.\n\nĐoạn hai.",
        at=NOW, unit_id=unit, image=True,
    )  # fmt: skip
    console = await make_console(database)
    editor, other = await console.client(Role.EDITOR), await console.client(Role.ADMIN)
    page = await (await editor.get(f"/duyet/{sid}")).text()
    tree = html.fromstring(page)
    [body] = tree.xpath("//textarea[@name='body']")
    shown = body.text_content()
    assert shown == "Đoạn một.\n\nĐoạn hai."
    assert tree.xpath("//input[@name='cover' and @value='1']/@checked") == ["checked"]
    before = await sub(database, sid)
    form = {"action": "article", "body_before": shown, "cover_before": "1", "cover": "1"}

    status, page = await post(
        console, editor, sid, version=str(before.version), **form,
        body=shown.replace("Đoạn hai.", "Đoạn hai, đã sửa.").replace("\n", "\r\n"),
    )  # fmt: skip
    assert status == 200 and "Đã lưu thay đổi" in page
    after = await sub(database, sid)
    assert after.revision == before.revision + 1 and after.version == before.version + 1
    preview = await (await editor.get(f"/duyet/{sid}/xem-truoc")).text()
    assert "Đoạn hai, đã sửa." in preview
    async with database.session() as session:
        [edit] = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action == "review.edit_article")
            )
        ).all()
    assert edit.details["changed"] == ["body"] and edit.details["editor"] == "Trần Thị Biên"
    assert "cards" in console.wakes  # the Telegram card shows the edit

    status, page = await post(console, other, sid, version=str(before.version), **form, body="X")
    assert status == 409 and "vừa được thay đổi ở nơi khác" in page  # a stale page
    status, page = await post(console, other, sid, version=str(after.version), **form, body=" ")
    assert status == 409 and "Nội dung không được để trống. Chưa lưu gì." in page
    status, page = await post(
        console, other, sid, version=str(after.version), **{**form, "cover": "3"}, body=shown
    )
    assert status == 409 and "chọn ảnh bìa từ 1 đến 1" in page
    assert (await sub(database, sid)).revision == after.revision  # nothing written

    status, _ = await post(console, editor, sid, action="approve", version=str(after.version))
    assert status == 200
    status, page = await post(console, other, sid, version=str(after.version), **form, body="Y")
    assert status == 409 and re.search(r"đã được Trần Thị Biên xử lý \(Đã duyệt\)", page)
    assert 'id="save-article"' not in page  # the current state: nothing left to edit
