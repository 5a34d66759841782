"""The outbox's Telegram channel against the fake Bot API, through PTB's real Bot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from domain.clock import FixedClock
from outbox import TELEGRAM, enqueue
from outbox.telegram import TelegramSender
from outbox.worker import OutboxWorker
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import build_bot, fake_telegram  # noqa: F401

pytestmark = pytest.mark.integration


async def _queue(db: Database, clock: FixedClock, key: str, chat: int, **meta: object) -> None:
    async with db.session() as session:
        await enqueue(
            session=session,
            key=key,
            channel=TELEGRAM,
            recipient=str(chat),
            body="Đã nhận bài gửi. Mã: 2024-07-0001",
            meta=dict(meta),
            now=clock.now(),
        )
        await session.commit()


async def test_message_with_buttons_is_delivered_once(
    database: Database,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    clock = FixedClock(utcnow())
    fake_telegram.user(4242, "Lan")
    markup = {"inline_keyboard": [[{"text": "Xem", "callback_data": "rv:show:1:1"}]]}
    await _queue(database, clock, "receipt:1", 4242, reply_markup=markup)
    await _queue(database, clock, "receipt:1", 4242, reply_markup=markup)
    async with build_bot(fake_telegram) as bot:
        worker = OutboxWorker(database, [TelegramSender(bot)], clock=clock)
        assert await worker.drain() == 1
    [call] = fake_telegram.calls_to("sendMessage")
    assert call.params["chat_id"] == 4242
    assert call.params["text"] == "Đã nhận bài gửi. Mã: 2024-07-0001"
    assert call.params["reply_markup"] == markup
    async with database.session() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
    assert row.status == "sent" and row.result["message_id"] == call.result["message_id"]


async def test_flood_control_is_waited_out_and_sent_once(
    database: Database,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN a 429 with retry_after 7 WHEN the worker retries THEN not before 7 s, and once."""
    clock = FixedClock(utcnow())
    fake_telegram.user(777, "Minh")
    await _queue(database, clock, "reminder:1", 777)
    fake_telegram.fail_next("sendMessage", 429, parameters={"retry_after": 7})
    async with build_bot(fake_telegram) as bot:
        worker = OutboxWorker(database, [TelegramSender(bot)], clock=clock)
        assert await worker.drain_once() == 1
        async with database.session() as session:
            [row] = (await session.exec(select(OutboxMessage))).all()
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == clock.now() + timedelta(seconds=7)
        clock.advance(timedelta(seconds=6))
        assert await worker.drain_once() == 0
        clock.advance(timedelta(seconds=1))
        assert await worker.drain_once() == 1
    assert len(fake_telegram.calls_to("sendMessage")) == 1
    async with database.session() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
    assert row.status == "sent"


async def test_blocked_user_is_a_permanent_failure(
    database: Database,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    clock = FixedClock(utcnow())
    fake_telegram.user(555, "Hoa")
    fake_telegram.blocked.add(555)
    await _queue(database, clock, "decision:1", 555)
    async with build_bot(fake_telegram) as bot:
        await OutboxWorker(database, [TelegramSender(bot)], clock=clock).drain()
    async with database.session() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
    assert row.status == "failed"
    assert "blocked" in (row.last_error or "")
