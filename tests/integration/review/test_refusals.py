"""Refused presses: answered at once, their audit written a moment later, once, even after a crash.

The editors' hot path (review.refusals): a press that cannot win is answered first and its audit
row and update outcome are written by a background batch. These tests hold that promise to
"nothing lost, nothing twice": the row appears; a press delivered twice leaves one row; a press
whose row was still queued when the process died is replayed and written at the next start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from telegram import Update

from domain.kinds import Channel
from domain.states import SubmissionStatus
from intake.accept import Incoming, accept
from review.refusals import Refusal, RefusalLog
from runtime.telegram import NewsdeskBot
from storage.audit import list_audit
from storage.db import Database
from storage.files import FileStore
from storage.models import Submission, TelegramUpdate
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import Harness, running_bot, seed
from tgbot.callbacks import Action, review_data

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration
S = SubmissionStatus


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as database:
        yield database


async def email_submission(db: Database, files: FileStore, unit_id: int, key: str) -> int:
    """An email submission waiting for review; its id."""
    async with db.session() as session:
        incoming = Incoming(
            channel=Channel.EMAIL,
            source_key=key,
            received_at=datetime.now(UTC),
            sender="lan@soyte.example.vn",
            title="Tiêm chủng mở rộng tháng 11",
            text="Nội dung bài viết",
            unit_id=unit_id,
        )
        sub = (await accept(incoming, session=session, files=files)).submission
        await session.commit()
    assert sub.id is not None
    return sub.id


async def pending_card(h: Harness) -> tuple[int, dict]:  # type: ignore[type-arg]
    """An email submission waiting for review, and its card in the editors' chat."""
    sub_id = await email_submission(h.db, h.files, h.unit_id, "refusals-1")
    async with h.db.session() as session:
        sub = await session.get(Submission, sub_id)
    assert sub is not None and h.bot.cards is not None
    h.bot.cards.wake()
    return sub_id, await h.card(sub_id, sub.version)


async def refusals(db: Database, sub_id: int) -> list[tuple[str, str]]:
    async with db.session() as session:
        events = await list_audit(session=session, submission_id=sub_id)
    return [(e.actor, e.action) for e in events if e.action.startswith("review.refused")]


async def outcome(db: Database, update_id: int) -> str:
    async with db.session() as session:
        row = await session.get(TelegramUpdate, update_id, populate_existing=True)
    assert row is not None
    return row.outcome


async def test_a_late_press_is_answered_and_logged_once(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    async with running_bot(fake_telegram, db, files) as h:
        sub_id, card = await pending_card(h)
        sub = await h.submission()
        data = review_data(Action.APPROVE, sub_id, sub.version)
        won = await h.answer(h.fake.press(h.an, card, data))
        assert won["text"].startswith("Đã duyệt tin, bài")
        late = h.fake.press(h.binh, card, data)
        refused = await h.answer(late)
        assert refused["show_alert"] is True
        assert "đã được" in refused["text"] and "Trần Văn An" in refused["text"]
        await h.until(lambda: refusals(db, sub_id))  # written by the background batch
        # the same press delivered again (a webhook retry): Telegram no longer takes an answer
        assert h.bot.review is not None
        await h.bot.app.process_update(Update.de_json(late, h.bot.app.bot))
        await h.bot.review.refusals.flush()
        assert await outcome(db, late["update_id"]) == "done"
    assert await refusals(db, sub_id) == [("tg:2002", "review.refused_decided")]
    assert (await h.submission()).status == S.APPROVED


async def test_a_refusal_queued_at_a_crash_is_written_after_restart(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    ids = await seed(db)

    def hold_refusals(bot: NewsdeskBot) -> None:  # nothing written before the "crash"
        assert bot.review is not None
        bot.review.refusals.quiet = bot.review.refusals.linger = 60.0

    async with running_bot(fake_telegram, db, files, seeded=ids, on_built=hold_refusals) as h:
        sub_id, card = await pending_card(h)
        sub = await h.submission()
        old = review_data(Action.APPROVE, sub_id, sub.version)
        await h.answer(
            h.fake.press(h.an, card, review_data(Action.KIND_NEWS, sub_id, sub.version))
        )
        stale = h.fake.press(h.binh, card, old)
        assert "Phiếu duyệt này đã cũ" in (await h.answer(stale))["text"]
        review = h.bot.review
        assert review is not None

        async def queued() -> bool:
            return review.refusals.pending == 1

        await h.until(queued)
        # the process dies with the refusal still queued: only the stored update survives
        review.refusals._queued.clear()
        await h.fake.wait_until_consumed()
    assert await outcome(db, stale["update_id"]) == ""
    assert await refusals(db, sub_id) == []
    async with running_bot(fake_telegram, db, files, seeded=ids) as h:
        await h.until(lambda: refusals(db, sub_id))  # replayed at start-up, refused again
        assert await outcome(db, stale["update_id"]) == "done"
    assert await refusals(db, sub_id) == [("tg:2002", "review.refused_stale")]
    assert (await h.submission()).status == S.PENDING_REVIEW


async def test_a_failed_write_keeps_the_refusals_queued(db: Database, files: FileStore) -> None:
    unit_id, _ = await seed(db)
    sub_id = await email_submission(db, files, unit_id, "refusals-2")
    log = RefusalLog(db)
    raw = {"update_id": 77, "callback_query": {"id": "q77", "data": "rv:a:1:1"}}
    log.add(
        Refusal(
            raw=raw,
            actor="tg:2002",
            action="review.refused_stale",
            submission_id=sub_id,
            details={"button": "a", "version": 1},
            at=datetime.now(UTC),
        )
    )
    async with db.session() as session:  # the database refuses writes to the update log
        await session.exec(text("ALTER TABLE telegram_update RENAME TO telegram_update_away"))
        await session.commit()
    assert await log.flush() is False
    assert log.pending == 1
    async with db.session() as session:
        await session.exec(text("ALTER TABLE telegram_update_away RENAME TO telegram_update"))
        await session.commit()
    assert await log.flush() is True
    assert log.pending == 0
    assert await refusals(db, sub_id) == [("tg:2002", "review.refused_stale")]
    assert await outcome(db, 77) == "done"


async def test_a_refusal_that_cannot_be_written_does_not_block_the_others(
    db: Database, files: FileStore
) -> None:
    unit_id, _ = await seed(db)
    sub_id = await email_submission(db, files, unit_id, "refusals-3")
    log = RefusalLog(db)
    for update_id, submission_id in ((81, 999_999), (82, sub_id)):  # 999999: no such row
        log.add(
            Refusal(
                raw={"update_id": update_id, "callback_query": {"id": f"q{update_id}"}},
                actor="tg:2002",
                action="review.refused_decided",
                submission_id=submission_id,
                details={"button": "a", "version": 1},
                at=datetime.now(UTC),
            )
        )
    assert await log.flush() is True
    assert log.pending == 0
    assert await refusals(db, sub_id) == [("tg:2002", "review.refused_decided")]
    assert await outcome(db, 82) == "done"
    async with db.session() as session:  # the poison one stays replayable, not half-written
        assert await session.get(TelegramUpdate, 81) is None
