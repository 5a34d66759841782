"""Restarts lose nothing (drafts, unfinished updates, cards); /trangthai and /huongdan."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from storage.db import Database
from storage.files import FileStore
from storage.models import Officer, Submission, TelegramUpdate
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import running_bot, seed

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as database:
        yield database


async def link(db: Database, officer_id: int, telegram_id: int) -> None:
    async with db.session() as session:
        officer = await session.get(Officer, officer_id)
        assert officer is not None
        officer.telegram_user_id = telegram_id
        session.add(officer)
        await session.commit()


async def test_open_draft_survives_a_restart(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    ids = await seed(db)
    await link(db, ids[1], 1001)
    async with running_bot(fake_telegram, db, files, seeded=ids) as h:
        h.fake.inject_text(h.lan, "Tin trước khi khởi động lại")
        await h.message_to(h.lan.id, "Bấm «Gửi duyệt»")
    async with running_bot(fake_telegram, db, files, seeded=ids) as h:
        await h.send_draft(h.lan, summaries=2)  # the summary is shown again at start-up
        await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài")
        sub = await h.submission()
        assert sub.text == "Tin trước khi khởi động lại"


async def test_update_recorded_but_unfinished_is_replayed_once(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    ids = await seed(db)
    await link(db, ids[1], 1001)
    lan = fake_telegram.user(1001, "Lan")
    # a crash after the update was recorded, before any handler finished
    update = fake_telegram.inject_text(lan, "Tin đã ghi nhận trước sự cố")
    fake_telegram.updates.clear()  # Telegram already counted it as delivered
    async with db.session() as session:
        session.add(
            TelegramUpdate(update_id=update["update_id"], kind="message", raw=update, outcome="")
        )
        await session.commit()
    async with running_bot(fake_telegram, db, files, seeded=ids) as h:
        await h.send_draft(h.lan)
        await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài")
        assert (await h.submission()).text == "Tin đã ghi nhận trước sự cố"
    async with db.session() as session:
        row = await session.get(TelegramUpdate, update["update_id"])
    assert row is not None and row.outcome.startswith("sent:")


async def test_status_and_help(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    async with running_bot(fake_telegram, db, files) as h:
        h.fake.inject_command(h.lan, "/trangthai")
        await h.message_to(h.lan.id, "chưa được liên kết")
        await h.link_lan()
        h.fake.inject_command(h.lan, "/trangthai")
        await h.message_to(h.lan.id, "Sở Y tế chưa gửi tin, bài nào")
        h.fake.inject_text(h.lan, "Tin về ngày hội hiến máu")
        await h.send_draft(h.lan)
        await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài")
        sub = await h.submission()
        h.fake.inject_command(h.lan, "/trangthai")
        [status] = await h.message_to(h.lan.id, "đã gửi tháng")
        assert f"{sub.code} · Tin về ngày hội hiến máu · Chờ duyệt" in status["text"]
        h.fake.inject_command(h.lan, "/huongdan")
        [guide] = await h.message_to(h.lan.id, "HƯỚNG DẪN GỬI TIN, BÀI")
        assert "20 MB" in guide["text"] and "/trangthai" in guide["text"]
        # the size advice follows the real limits: the mail limit (25 MB) carries 18 MB files
        assert "thư điện tử mang được tệp đến 18 MB" in guide["text"]
        async with h.db.session() as session:
            assert len((await session.exec(select(Submission))).all()) == 1
