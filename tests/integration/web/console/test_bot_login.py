"""/dangnhap: the bot answers an editor or a leader with a one-time console link."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from domain.clock import SystemClock
from intake.telegram.login import NOT_KNOWN
from storage.db import Database
from storage.files import FileStore
from storage.leaders import create_leader
from storage.logins import Role, redeem_link
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import running_bot

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration
PUBLIC = "https://tin.example.vn"


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as database:
        yield database


async def test_dangnhap_gives_editors_and_leaders_a_link(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    async with db.session() as session:
        await create_leader(
            session=session,
            full_name="Vũ Lãnh Đạo",
            telegram_user_id=4001,
            now=SystemClock().now(),
        )
        await session.commit()

    def configure(bot: object) -> None:
        bot.deps.public_base_url = PUBLIC  # type: ignore[attr-defined]

    async with running_bot(fake_telegram, db, files, on_built=configure) as h:
        h.fake.inject_command(h.an, "/dangnhap")
        [answer] = await h.message_to(h.an.id, "Liên kết đăng nhập")
        url = next(w for w in answer["text"].split() if w.startswith(PUBLIC))
        assert url.startswith(f"{PUBLIC}/dang-nhap/")
        async with db.session() as session:
            _, who = await redeem_link(
                session=session, token=url.rsplit("/", 1)[1], now=SystemClock().now(), client="t"
            )
            await session.commit()
        assert who.role is Role.EDITOR and who.name == "Trần Văn An"

        boss = h.fake.user(4001, "Lãnh đạo")
        h.fake.inject_command(boss, "/dangnhap")
        [answer] = await h.message_to(boss.id, "Liên kết đăng nhập")
        assert f"{PUBLIC}/dang-nhap/" in answer["text"]

        h.fake.inject_command(h.stranger, "/dangnhap")
        await h.message_to(h.stranger.id, NOT_KNOWN)

        for _ in range(4):  # five links an hour per person, then a clear answer
            h.fake.inject_command(h.an, "/dangnhap")
        await h.message_to(h.an.id, "Liên kết đăng nhập", count=5)
        h.fake.inject_command(h.an, "/dangnhap")
        await h.message_to(h.an.id, "trong một giờ qua")
