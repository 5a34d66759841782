"""The card's «Xem trước bài Zalo» button shows the article as the publisher composes it."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from publisher.prepare import card_preview
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram  # noqa: F401
from tests.integration.review.test_submit_and_review import submit_text_and_album
from tests.support.bot import EDITORS_CHAT, running_bot
from tgbot.callbacks import Action, review_data

pytestmark = pytest.mark.integration


async def _preview(session: Any, submission: Any, *, settings: Settings, files: FileStore) -> str:
    return await card_preview(
        session=session, files=files, submission=submission, settings=settings
    )


async def test_preview_shows_the_composed_article_and_changes_nothing(
    sqlite_url: str,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    async with (
        Database(sqlite_url) as db,
        running_bot(
            fake_telegram, db, files, preview=partial(_preview, settings=settings, files=files)
        ) as h,
    ):
        await h.link_lan()
        sub_id = await submit_text_and_album(h)
        sub = await h.submission()
        card = await h.card(sub_id, sub.version)
        await h.answer(h.fake.press(h.an, card, review_data(Action.PREVIEW, sub_id, sub.version)))
        [preview] = await h.message_to(EDITORS_CHAT, "sẽ được đăng trên Trang Zalo OA")
        after = await h.submission()
    assert preview["reply_to_message"]["message_id"] == card["message_id"]
    assert "📰 Hội nghị tập huấn chuyển đổi số" in preview["text"]
    assert "✍️ Sở Y tế" in preview["text"]
    assert (after.status, after.version) == (sub.status, sub.version)
