"""Registry pages (admins): officers' CSV import with a preview, officers add/end, the bot
invite with its QR code, leaders, CSV export; the QR poster (A4 page and PNG)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from aiohttp import FormData
from lxml import html
from PIL import Image
from sqlmodel import select

from domain.kinds import UnitKind
from storage.db import Database
from storage.logins import Role
from storage.models import Editor, InviteCode, Leader, Officer, Unit
from storage.registry import set_unit_addresses
from tests.integration.web.console.harness import ConsoleFactory, csrf_of
from tests.support.seed import add_officer, add_unit

pytestmark = pytest.mark.integration
GOOD = (
    "unit_code,full_name,position,phone,email\n"
    "so-yte,Nguyễn Thị Lan,Chuyên viên,0912345678,lan@syt.gov.vn\n"
    "so-yte,Trần Văn Bình,Phó phòng,,binh@syt.gov.vn\n"
)
BAD = GOOD + "so-xyz,Lê Văn C,Chuyên viên,,c@x.vn\nso-yte,,Chuyên viên,,\n"


def upload(csrf: str, text: str, filename: str = "can-bo.csv") -> FormData:
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", text.encode("utf-8"), filename=filename, content_type="text/csv")
    return form


async def officers(db: Database) -> list[Officer]:
    async with db.session() as session:
        return list((await session.exec(select(Officer))).all())


async def test_csv_import_previews_then_writes_and_an_error_writes_nothing(
    database: Database, make_console: ConsoleFactory
) -> None:
    await add_unit(database, "so-yte", "Sở Y tế")
    console = await make_console(database)
    admin = await console.client(Role.ADMIN)
    await admin.get("/danh-muc")

    bad = await admin.post("/danh-muc/nhap-can-bo", data=upload(csrf_of(admin), BAD))
    page = await bad.text()
    assert bad.status == 400 and "chưa thay đổi gì" in page
    assert "dòng 5: thiếu họ tên (cột full_name)" in page
    unknown = await admin.post(
        "/danh-muc/nhap-can-bo",
        data=upload(csrf_of(admin), GOOD + "so-xyz,Lê Văn C,Chuyên viên,,\n"),
    )
    assert (
        unknown.status == 400
        and "dòng 4: không có đơn vị mã &#39;so-xyz&#39;" in await unknown.text()
    )
    assert await officers(database) == []

    preview = await admin.post("/danh-muc/nhap-can-bo", data=upload(csrf_of(admin), GOOD))
    page = await preview.text()
    assert preview.status == 200 and "Sẽ thêm 2 cán bộ mới" in page and "Chưa ghi gì" in page
    assert "Nguyễn Thị Lan" in page and "Thêm mới" in page
    assert await officers(database) == []  # a preview writes nothing

    done = await admin.post(
        "/danh-muc/nhap-can-bo", data={"csrf": csrf_of(admin), "confirm": "1", "csv": GOOD}
    )
    assert done.status == 200 and "Đã nhập: 2 cán bộ mới, 0 cán bộ cập nhật" in await done.text()
    assert sorted(o.full_name for o in await officers(database)) == [
        "Nguyễn Thị Lan",
        "Trần Văn Bình",
    ]
    again = await admin.post("/danh-muc/nhap-can-bo", data=upload(csrf_of(admin), GOOD))
    assert "cập nhật 2 cán bộ" in await again.text()

    export = await admin.get("/danh-muc/can-bo.csv")
    text = (await export.read()).decode("utf-8-sig")
    assert text.splitlines()[0] == "unit_code,full_name,position,phone,email"
    assert "so-yte,Nguyễn Thị Lan,Chuyên viên,+84912345678,lan@syt.gov.vn" in text
    units = (await (await admin.get("/danh-muc/don-vi.csv")).read()).decode("utf-8-sig")
    assert "so-yte,Sở Y tế,department,1" in units


async def test_officer_add_end_and_invite_with_qr(
    database: Database, make_console: ConsoleFactory
) -> None:
    unit = await add_unit(database, "so-yte", "Sở Y tế")
    console = await make_console(database, telegram={"bot_username": "newsdesk_bot"})
    admin = await console.client(Role.ADMIN)
    page = await (await admin.get(f"/don-vi/{unit}")).text()
    assert "Thêm cán bộ" in page and "Tạo mã mời" in page
    added = await admin.post(
        f"/danh-muc/don-vi/{unit}/can-bo",
        data={"csrf": csrf_of(admin), "full_name": "Phạm Thị Hoa", "position": "Chuyên viên",
              "phone": "0987654321", "email": ""},
        allow_redirects=False,
    )  # fmt: skip
    assert added.status == 303
    refused = await admin.post(
        f"/danh-muc/don-vi/{unit}/can-bo",
        data={"csrf": csrf_of(admin), "full_name": "Ai Đó", "position": "", "phone": "12"},
    )
    assert refused.status == 400 and "chưa thay đổi gì" in await refused.text()
    [hoa] = await officers(database)
    assert hoa.phone == "+84987654321"
    ended = await admin.post(
        f"/danh-muc/can-bo/{hoa.id}/ket-thuc", data={"csrf": csrf_of(admin)}, allow_redirects=False
    )
    assert ended.status == 303
    assert (await officers(database))[0].active_to is not None

    invite = await admin.post(f"/danh-muc/don-vi/{unit}/moi", data={"csrf": csrf_of(admin)})
    page = await invite.text()
    async with database.session() as session:
        [code] = (await session.exec(select(InviteCode))).all()
    assert f"https://t.me/newsdesk_bot?start={code.code}" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "<rect" in page


async def test_leaders_from_the_registry_page(
    database: Database, make_console: ConsoleFactory
) -> None:
    console = await make_console(database)
    admin = await console.client(Role.ADMIN)
    await admin.get("/danh-muc")
    await admin.post(
        "/danh-muc/lanh-dao",
        data={"csrf": csrf_of(admin), "full_name": "Đỗ Văn Giám", "position": "Giám đốc",
              "email": "gd@so.gov.vn"},
    )  # fmt: skip
    page = await (await admin.get("/danh-muc")).text()
    assert "Đỗ Văn Giám" in page and "gd@so.gov.vn" in page
    async with database.session() as session:
        leader = (
            await session.exec(select(Leader).where(Leader.full_name == "Đỗ Văn Giám"))
        ).one()
    await admin.post(f"/danh-muc/lanh-dao/{leader.id}/ket-thuc", data={"csrf": csrf_of(admin)})
    assert "Đỗ Văn Giám" not in await (await admin.get("/danh-muc")).text()


async def test_qr_poster_page_and_png(database: Database, make_console: ConsoleFactory) -> None:
    unit = await add_unit(database, "so-yte", "Sở Y tế")
    await add_officer(database, unit, "Nguyễn Thị Lan", phone="+84912345678")
    console = await make_console(database, zalo={"follow_url": "https://zalo.me/123456789"})
    leader = await console.client(Role.LEADER)
    page = await (await leader.get(f"/don-vi/{unit}/ap-phich")).text()
    assert "Sở Y tế" in page and "Công dân số Thái Bình" in page
    assert "https://zalo.me/123456789" in page and "<svg" in page
    assert "+84912345678" not in page
    png = await leader.get(f"/don-vi/{unit}/ap-phich.png")
    assert png.status == 200 and png.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(await png.read()))
    assert image.format == "PNG" and image.height > image.width


UNITS_GOOD = (
    "code,name_vi,kind,valid_to,successor,emails\n"
    "so-yte,Sở Y tế tỉnh,department,,,@syt.gov.vn\n"
    "xa-moi,Xã Mới,commune,,,\n"
)
UNITS_BAD = (
    UNITS_GOOD + "xa-sai,,village,31/02/2026,,khong-phai-email\nxa-moi,Xã Trùng,commune,,,\n"
)


async def units(db: Database) -> dict[str, Unit]:
    async with db.session() as session:
        return {u.code: u for u in (await session.exec(select(Unit))).all()}


async def test_units_import_previews_changes_and_an_error_row_writes_nothing(
    database: Database, make_console: ConsoleFactory
) -> None:
    await add_unit(database, "so-yte", "Sở Y tế")
    console = await make_console(database)
    admin = await console.client(Role.ADMIN)
    await admin.get("/danh-muc")
    before = await units(database)

    bad = await admin.post(
        "/danh-muc/nhap-don-vi", data=upload(csrf_of(admin), UNITS_BAD, "don-vi.csv")
    )
    page = await bad.text()
    assert bad.status == 400 and "Không nhập được, chưa thay đổi gì." in page
    problems = [
        li.text_content() for li in html.fromstring(page).xpath("//div[@id='problems']//li")
    ]
    assert problems == [
        "dòng 4: thiếu tên đơn vị (cột name_vi)",
        "dòng 4: loại đơn vị không hợp lệ: 'village' (department, district, commune, ward, "
        "special_zone, press, other)",
        "dòng 4: địa chỉ email không hợp lệ: 'khong-phai-email'",
        "dòng 4: cột valid_to không phải ngày hợp lệ: '31/02/2026'",
        "dòng 5: mã 'xa-moi' trùng với dòng 3",
    ]
    assert await units(database) == before
    taken = UNITS_GOOD.replace("xa-moi,Xã Mới,commune,,,", "xa-moi,Xã Mới,commune,,,@syt.gov.vn")
    bad = await admin.post(
        "/danh-muc/nhap-don-vi", data=upload(csrf_of(admin), taken, "don-vi.csv")
    )
    assert bad.status == 400 and "dòng 3: địa chỉ @syt.gov.vn đã có ở dòng 2" in await bad.text()

    preview = await admin.post(
        "/danh-muc/nhap-don-vi", data=upload(csrf_of(admin), UNITS_GOOD, "don-vi.csv")
    )
    page = await preview.text()
    assert preview.status == 200 and "Sẽ thêm 1 đơn vị mới, cập nhật 1 đơn vị" in page
    rows = [
        [td.text_content() for td in tr.xpath("td")]
        for tr in html.fromstring(page).xpath("//table//tr[td]")
    ]
    assert rows == [
        ["2", "Cập nhật", "so-yte", "Sở Y tế tỉnh", "tên, địa chỉ email"],
        ["3", "Thêm mới", "xa-moi", "Xã Mới", ""],
    ]
    assert await units(database) == before  # a preview writes nothing
    done = await admin.post(
        "/danh-muc/nhap-don-vi", data={"csrf": csrf_of(admin), "confirm": "1", "csv": UNITS_GOOD}
    )
    assert done.status == 200 and "Đã nhập: 1 đơn vị mới, 1 đơn vị cập nhật." in await done.text()
    after = await units(database)
    assert after["so-yte"].name == "Sở Y tế tỉnh" and after["xa-moi"].kind == "commune"


async def test_unit_edit_sets_validity_successor_and_addresses(
    database: Database, make_console: ConsoleFactory
) -> None:
    old = await add_unit(database, "huyen-cu", "Huyện Cũ")
    new = await add_unit(database, "xa-moi", "Xã Mới", kind=UnitKind.COMMUNE)
    console = await make_console(database)
    admin, editor = await console.client(Role.ADMIN), await console.client(Role.EDITOR)
    page = await (await admin.get(f"/don-vi/{old}")).text()
    assert 'id="unit-edit"' in page
    assert 'id="unit-edit"' not in await (await editor.get(f"/don-vi/{old}")).text()
    form = {
        "csrf": csrf_of(admin), "name": "Huyện  Cũ", "kind": "district", "counted": "1",
        "valid_from": "", "valid_to": "2025-06-30", "successor": "xa-moi",
        "emails": "vanthu@huyencu.gov.vn, @huyencu.gov.vn",
    }  # fmt: skip
    bad = await admin.post(f"/danh-muc/don-vi/{old}", data={**form, "successor": "khong-co"})
    assert bad.status == 400 and "không có đơn vị kế thừa mã" in await bad.text()
    async with database.session() as session:
        await set_unit_addresses(session=session, unit_id=new, addresses=["@xamoi.gov.vn"])
        await session.commit()
    bad = await admin.post(f"/danh-muc/don-vi/{old}", data={**form, "emails": "@XaMoi.gov.vn"})
    assert bad.status == 400
    assert "địa chỉ @xamoi.gov.vn đang thuộc đơn vị xa-moi" in await bad.text()
    bad = await admin.post(f"/danh-muc/don-vi/{old}", data={**form, "valid_to": "30/13/2025"})
    assert bad.status == 400 and "cột valid_to không phải ngày hợp lệ" in await bad.text()
    assert (await units(database))["huyen-cu"].valid_to is None  # nothing written

    done = await admin.post(f"/danh-muc/don-vi/{old}", data=form, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"/don-vi/{old}"
    unit = (await units(database))["huyen-cu"]
    assert (unit.name, unit.valid_to, unit.successor_code) == (
        "Huyện Cũ", date(2025, 6, 30), "xa-moi"
    )  # fmt: skip
    page = await (await admin.get(f"/don-vi/{old}")).text()
    assert "vanthu@huyencu.gov.vn" in page and "@huyencu.gov.vn" in page
    assert "đơn vị kế thừa: xa-moi" in page


async def test_admin_adds_an_editor_and_a_bad_field_adds_nothing(
    database: Database, make_console: ConsoleFactory
) -> None:
    console = await make_console(database)
    admin = await console.client(Role.ADMIN)
    await admin.get("/danh-muc")
    bad = await admin.post(
        "/danh-muc/bien-tap-vien",
        data={"csrf": csrf_of(admin), "full_name": "Phạm Thu", "telegram_user_id": "abc"},
    )
    assert bad.status == 400 and "mã người dùng Telegram phải là một số" in await bad.text()
    async with database.session() as session:
        assert len((await session.exec(select(Editor))).all()) == 2  # the harness's two
    done = await admin.post(
        "/danh-muc/bien-tap-vien",
        data={
            "csrf": csrf_of(admin),
            "full_name": "Phạm  Thu",
            "email": "Thu@SO.gov.vn",
            "telegram_user_id": "4242",
        },
        allow_redirects=False,
    )
    assert done.status == 303
    async with database.session() as session:
        [added] = (await session.exec(select(Editor).where(Editor.full_name == "Phạm Thu"))).all()
    assert (added.email, added.telegram_user_id, added.active) == ("thu@so.gov.vn", 4242, True)
    assert "Phạm Thu" in await (await admin.get("/danh-muc")).text()
    for field, value, why in [
        ("telegram_user_id", "4242", "mã Telegram 4242 đã là của biên tập viên Phạm Thu"),
        ("email", "thu@so.gov.vn", "email thu@so.gov.vn đã là của biên tập viên Phạm Thu"),
        ("telegram_user_id", "9" * 30, "mã người dùng Telegram phải là một số"),
    ]:
        again = await admin.post(
            "/danh-muc/bien-tap-vien",
            data={"csrf": csrf_of(admin), "full_name": "Người Khác", field: value},
        )
        assert again.status == 400 and why in await again.text()
    async with database.session() as session:
        assert len((await session.exec(select(Editor))).all()) == 3  # a person once
