"""An update fetched by long polling is in the database before PTB confirms it to Telegram."""

from __future__ import annotations

import pytest
from telegram import Bot

from storage.db import Database
from storage.files import FileStore
from storage.models import TelegramUpdate
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram  # noqa: F401
from tests.support.bot import running_bot, seed
from tgbot.durable import DurableUpdatesRequest

pytestmark = pytest.mark.integration


async def test_update_confirmed_but_never_handled_is_replayed(
    database: Database,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN a process that fetched an update, confirmed it (PTB's next getUpdates) and died
    before handling it WHEN the bot starts again THEN the update is handled, once."""
    seeded = await seed(database)
    lan = fake_telegram.user(1001, "Lan")
    injected = fake_telegram.inject_command(lan, "/huongdan")
    bot = Bot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
        get_updates_request=DurableUpdatesRequest(database),
    )
    async with bot:
        [fetched] = await bot.get_updates(timeout=0)
        await bot.get_updates(offset=fetched.update_id + 1, timeout=0)  # the confirmation
    assert fake_telegram.updates == []  # Telegram has forgotten it
    async with database.session() as session:
        row = await session.get(TelegramUpdate, injected["update_id"])
    assert row is not None and row.outcome == ""
    async with running_bot(fake_telegram, database, files, seeded=seeded) as h:
        await h.message_to(1001, "HƯỚNG DẪN GỬI TIN, BÀI")
    async with database.session() as session:
        row = await session.get(TelegramUpdate, injected["update_id"], populate_existing=True)
    assert row is not None and row.outcome != ""
    helps = [c for c in fake_telegram.calls_to("sendMessage") if c.params["chat_id"] == 1001]
    assert len(helps) == 1
