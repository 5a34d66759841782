"""Officer onboarding: by shared contact, by unit invite; strangers get an explanation only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from intake.telegram.invites import create_invite
from intake.telegram.onboarding import WALK_HOURS
from main import app
from storage.db import Database
from storage.files import FileStore
from storage.models import (
    AuditEvent,
    InviteCode,
    Officer,
    OnboardingWalk,
    TelegramUpdate,
    utcnow,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import LAN_PHONE, Harness, running_bot
from tgbot.updates import ERASED_PHONE, forget_phone, record_all

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration


@pytest.fixture
async def h(
    fake_telegram: FakeTelegram, sqlite_url: str, files: FileStore
) -> AsyncIterator[Harness]:
    async with Database(sqlite_url) as db, running_bot(fake_telegram, db, files) as harness:
        yield harness


async def officers(h: Harness) -> list[Officer]:
    async with h.db.session() as session:
        return list((await session.exec(select(Officer).order_by(Officer.id))).all())


async def test_link_by_shared_contact_with_consent(h: Harness) -> None:
    h.fake.inject_command(h.lan, "/start")
    [welcome] = await h.message_to(h.lan.id, "chưa được liên kết")
    start_call = next(c for c in h.fake.calls_to("sendMessage") if c.result is welcome)
    keyboard = start_call.params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True
    h.fake.inject_contact(h.lan, "0912 345 678")  # national format; the registry holds E.164
    await h.message_to(h.lan.id, "Đã liên kết tài khoản với đơn vị Sở Y tế")
    [question] = await h.message_to(h.lan.id, "Đồng chí có đồng ý không?")
    h.fake.press(h.lan, question, "ob:consent:yes")
    await h.message_to(h.lan.id, "Đã ghi nhận sự đồng ý")
    [lan] = await officers(h)
    assert lan.telegram_user_id == h.lan.id and lan.phone == LAN_PHONE
    assert lan.consent_at is not None
    async with h.db.session() as session:
        actions = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert actions == ["officer.linked", "officer.consent"]


async def stored_updates(h: Harness) -> str:
    async with h.db.session() as session:
        rows = (await session.exec(select(TelegramUpdate))).all()
    return json.dumps([row.raw for row in rows], ensure_ascii=False)


async def test_declining_consent_after_a_shared_contact_erases_the_phone(h: Harness) -> None:
    """GIVEN an officer linked by sharing their contact WHEN they press «Không đồng ý» THEN
    the number is gone from the registry (what `officers list` shows) and from the stored
    updates, as the bot says."""
    h.fake.inject_contact(h.lan, "0912 345 678")
    [question] = await h.message_to(h.lan.id, "Đồng chí có đồng ý không?")
    assert "912345678" in (await stored_updates(h)).replace(" ", "")
    h.fake.press(h.lan, question, "ob:consent:no")
    await h.message_to(h.lan.id, "sẽ không lưu số điện thoại")
    [lan] = await officers(h)
    assert lan.telegram_user_id == h.lan.id  # still linked: they can send products
    assert lan.phone is None and lan.consent_at is None
    assert "912345678" not in (await stored_updates(h)).replace(" ", "")
    async with h.db.session() as session:
        events = (await session.exec(select(AuditEvent))).all()
    [consent] = [e for e in events if e.action == "officer.consent"]
    assert consent.details["phone_erased"] is True and consent.details["updates_scrubbed"] == 1
    listed = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["officers", "list", "--json"],
        env={"NEWSDESK_DATABASE__URL": h.db.url},
    )
    assert json.loads(listed.output)[0]["phone"] is None


async def test_someone_elses_contact_and_unknown_phone_are_explained(h: Harness) -> None:
    h.fake.inject_contact(h.stranger, LAN_PHONE, contact_user_id=h.lan.id)
    await h.message_to(h.stranger.id, "số điện thoại của chính đồng chí")
    h.fake.inject_contact(h.stranger, "0987 654 321")
    await h.message_to(h.stranger.id, "chưa có trong danh sách cán bộ đầu mối")
    h.fake.inject_text(h.stranger, "Gửi bài ạ")
    await h.message_to(h.stranger.id, "chưa thể gửi tin, bài")
    assert all(o.telegram_user_id is None for o in await officers(h))


async def test_invite_walk_registers_officer_once(h: Harness) -> None:
    async with h.db.session() as session:
        invite = await create_invite(
            session=session, unit_id=h.unit_id, now=utcnow(), valid_days=7
        )
        await session.commit()
    newbie = h.fake.user(4001, "Hoà")
    h.fake.inject_command(newbie, "/start", invite.code.lower())
    await h.message_to(newbie.id, "Mã mời hợp lệ cho đơn vị Sở Y tế")
    h.fake.inject_text(newbie, "Phạm Văn Hoà")
    await h.message_to(newbie.id, "Chức vụ")
    h.fake.inject_text(newbie, "Phó Chánh Văn phòng")
    await h.message_to(newbie.id, "Số điện thoại liên hệ")
    h.fake.inject_text(newbie, "abc")
    await h.message_to(newbie.id, "Số điện thoại chưa hợp lệ")
    h.fake.inject_text(newbie, "0903 111 222")
    [question] = await h.message_to(newbie.id, "Đồng chí có đồng ý không?")
    h.fake.press(newbie, question, "ob:consent:no")
    await h.message_to(newbie.id, "sẽ không lưu số điện thoại")
    hoa = (await officers(h))[-1]
    assert (hoa.full_name, hoa.position, hoa.unit_id) == (
        "Phạm Văn Hoà",
        "Phó Chánh Văn phòng",
        h.unit_id,
    )
    assert hoa.telegram_user_id == newbie.id
    assert hoa.phone is None and hoa.consent_at is None  # declined: the number is not kept
    assert "903111222" not in (await stored_updates(h)).replace(" ", "")
    async with h.db.session() as session:
        used = await session.get(InviteCode, invite.id, populate_existing=True)
    assert used is not None and used.used_by_telegram_id == newbie.id
    other = h.fake.user(4002, "Minh")
    h.fake.inject_command(other, "/start", invite.code)
    await h.message_to(other.id, "Mã mời không hợp lệ, đã dùng hoặc đã hết hạn")
    assert len(await officers(h)) == 2


async def test_an_invite_walk_survives_a_restart_and_an_abandoned_one_lets_go(
    fake_telegram: FakeTelegram, sqlite_url: str, files: FileStore
) -> None:
    """GIVEN a walk half done WHEN the service restarts THEN the next answers continue it; a
    walk left alone for a day no longer catches the user's messages."""
    async with Database(sqlite_url) as db:
        async with running_bot(fake_telegram, db, files) as h:
            seeded = (h.unit_id, h.officer_id)
            async with db.session() as session:
                invite = await create_invite(
                    session=session, unit_id=h.unit_id, now=utcnow(), valid_days=7
                )
                await session.commit()
            newbie = h.fake.user(4003, "Thảo")
            h.fake.inject_command(newbie, "/start", invite.code)
            await h.message_to(newbie.id, "Mã mời hợp lệ")
            named = h.fake.inject_text(newbie, "Đỗ Phương Thảo")
            await h.message_to(newbie.id, "Chức vụ")
            h.fake.inject_edit(named, text="Đỗ Thị Phương Thảo")  # too late to change the step
            await h.message_to(newbie.id, "gõ lại /start kèm mã mời")
        async with running_bot(fake_telegram, db, files, seeded=seeded) as h:
            h.fake.inject_text(newbie, "Chuyên viên truyền thông")
            await h.message_to(newbie.id, "Số điện thoại liên hệ")
            h.fake.inject_contact(newbie, "0903 222 333")
            [question] = await h.message_to(newbie.id, "Đồng chí có đồng ý không?")
            h.fake.press(newbie, question, "ob:consent:yes")
            await h.message_to(newbie.id, "Đã liên kết tài khoản với đơn vị Sở Y tế")
            thao = (await officers(h))[-1]
            assert (thao.full_name, thao.position, thao.phone) == (
                "Đỗ Phương Thảo",
                "Chuyên viên truyền thông",
                "+84903222333",
            )
            async with db.session() as session:
                assert await session.get(OnboardingWalk, newbie.id) is None  # ended
                late = await create_invite(
                    session=session, unit_id=h.unit_id, now=utcnow(), valid_days=7
                )
                await session.commit()
            idle = h.fake.user(4004, "Nam")
            h.fake.inject_command(idle, "/start", late.code)
            await h.message_to(idle.id, "Mã mời hợp lệ")
            async with db.session() as session:
                walk = await session.get(OnboardingWalk, idle.id)
                assert walk is not None and walk.state["step"] == "name"
                walk.updated_at = utcnow() - timedelta(hours=WALK_HOURS + 1)
                session.add(walk)
                await session.commit()
            h.fake.inject_text(idle, "Trần Văn Nam")
            await h.message_to(idle.id, "chưa thể gửi tin, bài")  # a draft message, not a name
            async with db.session() as session:
                assert await session.get(OnboardingWalk, idle.id) is None


async def test_forget_phone_scrubs_only_that_users_updates_holding_that_number(
    database: Database,
) -> None:
    """On both databases, with a user id past 32 bits (as new Telegram accounts have)."""
    user, other = 6_123_456_789, 6_123_456_790

    def message(update_id: int, sender: int, **fields: object) -> dict[str, object]:
        body = {"message_id": update_id, "date": 0, "chat": {"id": sender, "type": "private"}}
        return {"update_id": update_id, "message": body | {"from": {"id": sender}} | fields}

    contact = {"phone_number": "84912345678", "user_id": user, "first_name": "Lan", "vcard": "TEL"}
    async with database.session() as session:
        await record_all(
            session=session,
            raws=[
                message(1, user, contact=contact),
                message(2, user, text="0912 345 678"),
                message(3, user, text="Bài về hội nghị"),
                message(4, other, text="0912345678"),
            ],
        )
        assert await forget_phone(session=session, telegram_user_id=user, phone=LAN_PHONE) == 2
        await session.commit()
        rows = {r.update_id: r.raw for r in (await session.exec(select(TelegramUpdate))).all()}
    kept = {"phone_number": "", "user_id": user, "first_name": "Lan"}
    assert rows[1]["message"]["contact"] == kept
    assert rows[2]["message"]["text"] == ERASED_PHONE
    assert rows[3]["message"]["text"] == "Bài về hội nghị"
    assert rows[4]["message"]["text"] == "0912345678"  # someone else's message
