"""«Hẹn giờ đăng»: an editor chooses when an approved item goes to Zalo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.periods import TZ
from storage.db import Database
from storage.files import FileStore
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram  # noqa: F401
from tests.integration.review.test_submit_and_review import submit_text_and_album
from tests.support.bot import EDITORS_CHAT, running_bot
from tgbot.callbacks import Action, review_data

pytestmark = pytest.mark.integration


async def test_editor_sets_a_slot_then_approves(
    sqlite_url: str,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN a pending card WHEN an editor answers the slot prompt (after one bad answer) THEN
    the slot is stored, shown on the card, and the card still approves with its new version."""
    async with Database(sqlite_url) as db, running_bot(fake_telegram, db, files) as h:
        await h.link_lan()
        sub_id = await submit_text_and_album(h)
        sub = await h.submission()
        card = await h.card(sub_id, sub.version)
        h.fake.press(h.an, card, review_data(Action.PUBLISH_TIME, sub_id, sub.version))
        [prompt] = await h.message_to(EDITORS_CHAT, "Nhập thời điểm đăng")
        tomorrow = (datetime.now(TZ) + timedelta(days=1)).strftime("%d/%m/%Y")
        assert f"8h sáng mai, 14h30 thứ Sáu, 08:00 {tomorrow}" in prompt["text"]  # not past
        h.fake.inject_text(h.an, "sáng mai", chat=h.editors, reply_to=prompt)
        [error] = await h.message_to(EDITORS_CHAT, "Chưa đặt được giờ đăng: không hiểu «sáng mai»")
        assert error["text"].count("hiểu") == 1  # one message, not two doubled
        # A reply to the error answer counts; the time is written as people write it.
        h.fake.inject_text(h.an, "8h sáng ngày 27/11/2030", chat=h.editors, reply_to=error)
        await h.message_to(EDITORS_CHAT, "sẽ được đăng lúc 08:00 ngày 27/11/2030")
        slotted = await h.submission()
        assert slotted.publish_at == datetime(2030, 11, 27, 1, 0, tzinfo=UTC)
        card = await h.card(sub_id, slotted.version)
        assert "Hẹn đăng: 08:00 ngày 27/11/2030" in card["text"]
        answer = await h.answer(
            h.fake.press(h.an, card, review_data(Action.APPROVE, sub_id, slotted.version))
        )
        assert "Đã duyệt" in answer["text"]
