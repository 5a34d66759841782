"""The web desk and the Telegram card are one review: each follows the other, and a race between
a web approval and a button press gives exactly one decision."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from storage.db import Database
from storage.files import FileStore
from storage.logins import Role
from storage.models import AuditEvent, Submission
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.integration.web.console.harness import ConsoleFactory, csrf_of
from tests.support.bot import Harness, running_bot
from tgbot.callbacks import Action, review_data

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as database:
        yield database


async def pending(h: Harness, title: str, count: int) -> Submission:
    """Lan sends a draft from Telegram; the submission waits for review with its card."""
    h.fake.inject_text(h.lan, title)
    await h.send_draft(h.lan, summaries=count)
    await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài", count=count)
    async with h.db.session() as session:
        sub = (await session.exec(select(Submission).where(Submission.title == title))).one()
    assert sub.id is not None
    await h.card(sub.id, sub.version)
    return sub


async def approved(h: Harness, sub_id: int) -> bool:
    async with h.db.session() as session:
        sub = await session.get(Submission, sub_id, populate_existing=True)
    return sub is not None and sub.status == "approved"


def buttons(card: dict[str, Any]) -> list[str]:
    rows = (card.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def test_web_and_telegram_follow_each_other(
    fake_telegram: FakeTelegram, db: Database, files: FileStore, make_console: ConsoleFactory
) -> None:
    async with running_bot(fake_telegram, db, files) as h:
        await h.link_lan()
        console = await make_console(db)
        assert h.bot.cards is not None
        console.deps.wake_cards = h.bot.cards.wake
        web = await console.client(Role.EDITOR)

        # The web decides: the card shows the decision and loses its buttons.
        first = await pending(h, "Tin về ngày hội hiến máu", 1)
        answer = await web.post(
            f"/duyet/{first.id}",
            data={"csrf": csrf_of(web), "action": "approve", "version": str(first.version)},
        )
        assert answer.status == 200
        card = await h.card(first.id or 0, first.version + 1)
        assert "Trần Thị Biên" in card["text"] and buttons(card) == []

        # Telegram decides: the web page shows it and a stale web approval is refused.
        second = await pending(h, "Tin về hội thi", 2)
        card = await h.card(second.id or 0, second.version)
        press = h.fake.press(
            h.an, card, review_data(Action.APPROVE, second.id or 0, second.version)
        )
        await h.answer(press)
        # the answer follows the compare-and-set; the transaction commits a moment later
        await h.until(lambda: approved(h, second.id or 0))
        page = await (await web.get(f"/duyet/{second.id}")).text()
        assert "Đã duyệt" in page and "Trần Văn An" in page
        late = await web.post(
            f"/duyet/{second.id}",
            data={"csrf": csrf_of(web), "action": "reject", "version": str(second.version),
                  "reason": "Trùng"},
        )  # fmt: skip
        assert late.status == 409 and "đã được Trần Văn An xử lý" in await late.text()

        # Both at once: exactly one decision.
        third = await pending(h, "Tin về lễ hội", 3)
        card = await h.card(third.id or 0, third.version)
        data = review_data(Action.APPROVE, third.id or 0, third.version)

        async def telegram_press() -> dict[str, Any]:
            return h.fake.press(h.an, card, data)  # the bot handles it while the web posts

        web_answer, press = await asyncio.gather(
            web.post(
                f"/duyet/{third.id}",
                data={"csrf": csrf_of(web), "action": "approve", "version": str(third.version)},
            ),
            telegram_press(),
        )
        await h.answer(press)
        async with db.session() as session:
            decided = (
                await session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.submission_id == third.id)
                    .where(AuditEvent.action == "review.approved")
                )
            ).all()
        assert len(decided) == 1
        assert web_answer.status in (200, 409)
