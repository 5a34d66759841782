"""Forged callback data (numbers too large for the database, other digits): every press is
answered and nothing reaches the database or the log as a traceback (issue 18, item 11)."""

from __future__ import annotations

import logging

import pytest

from storage.db import Database
from storage.files import FileStore
from storage.models import Officer
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram  # noqa: F401
from tests.support.bot import EDITORS_CHAT, LAN_PHONE, running_bot, seed

pytestmark = pytest.mark.integration
FORGED = [
    "rv:rj:99999999999999999999:1",
    "rv:ap:1:99999999999999999999",
    "rv:ap:2147483648:1",
    "rv:rc:٣:1",
    "pub:retry:99999999999999999999",
    "pub:retry:-1",
    "pub:retry:",
    "dr:rev:99999999999999999999",
    "dr:rev:²",
    # not ours at all, or a known prefix with data the codec refuses: answered in Vietnamese
    "dr:send:1",
    "ob:consent:maybe",
    "zz:1",
    "",
]
UNKNOWN = "Nút này không còn hiệu lực."


async def test_forged_presses_are_answered_without_a_traceback(
    database: Database,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    seeded = await seed(database)
    caplog.set_level(logging.WARNING)
    async with running_bot(fake_telegram, database, files, seeded=seeded) as h:
        await h.link_lan()
        card = fake_telegram.store_message(EDITORS_CHAT, fake_telegram.bot, {"text": "Thẻ"})
        for data in FORGED:
            # a linked officer presses the empty one: PTB would hand it to the first
            # pattern handler (the phone consent), which must not take it as a "no"
            presser = h.lan if data.startswith("dr:") or not data else h.an
            answered = await h.answer(fake_telegram.press(presser, card, data))
            assert answered["callback_query_id"], data
            assert answered.get("text") == UNKNOWN, data
        async with database.session() as session:
            lan = await session.get(Officer, seeded[1])
        assert lan is not None and lan.phone == LAN_PHONE  # nothing erased
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]
