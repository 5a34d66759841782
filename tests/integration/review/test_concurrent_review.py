"""Two editors pressing approve at the same moment give exactly one decision (SQLite and PG).

Two bot instances (as two webhook replicas would be) process the two presses concurrently
against one database; compare-and-set in ``transition()`` lets exactly one win.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from telegram import Update

from domain.clock import SystemClock
from domain.errors import StaleTransitionError
from domain.kinds import Channel, SubmissionKind
from domain.states import SubmissionStatus
from intake.accept import Incoming, accept
from intake.telegram.context import BotDeps
from review.service import decide
from runtime.telegram import NewsdeskBot, assemble
from storage.db import Database
from storage.files import FileStore
from storage.models import AuditEvent, OutboxMessage
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import EDITORS_CHAT, seed
from tgbot.bot import build_application
from tgbot.callbacks import Action, review_data

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration
ROUNDS = 4


async def pending_submissions(db: Database, files: FileStore, unit_id: int, n: int) -> list[int]:
    ids = []
    async with db.session() as session:
        for i in range(n):
            incoming = Incoming(
                channel=Channel.TELEGRAM,
                source_key=f"race-{i}",
                received_at=datetime.now(UTC),
                sender="tg:1001",
                title=f"Tin số {i}",
                text="Nội dung",
                unit_id=unit_id,
                kind=SubmissionKind.NEWS,
                telegram_chat_id=1001,
            )
            accepted = await accept(incoming, session=session, files=files)
            assert accepted.submission.id is not None
            ids.append(accepted.submission.id)
        await session.commit()
    return ids


def replica(fake: FakeTelegram, db: Database, files: FileStore) -> NewsdeskBot:
    app = build_application(
        token=fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url
    )
    deps = BotDeps(db=db, files=files, clock=SystemClock())
    return assemble(app=app, deps=deps, editors_chat_id=EDITORS_CHAT, edit_interval=0.0)


async def test_two_editors_press_approve_at_once(
    fake_telegram: FakeTelegram, database: Database, files: FileStore
) -> None:
    fake = fake_telegram
    unit_id, _ = await seed(database)
    an, binh = fake.user(2001, "An"), fake.user(2002, "Bình")
    fake.user(1001, "Lan")
    fake.group(EDITORS_CHAT, "Ban biên tập")
    ids = await pending_submissions(database, files, unit_id, ROUNDS)
    one, two = replica(fake, database, files), replica(fake, database, files)
    async with one.app, two.app:
        for sub_id in ids:
            card = await one.app.bot.send_message(EDITORS_CHAT, "thẻ")
            data = review_data(Action.APPROVE, sub_id, 2)  # accept() leaves pending_review at v2
            presses = [
                fake.press(an, card.to_dict(), data),
                fake.press(binh, card.to_dict(), data),
            ]
            await asyncio.gather(
                one.app.process_update(Update.de_json(presses[0], one.app.bot)),
                two.app.process_update(Update.de_json(presses[1], two.app.bot)),
            )
        for bot in (one, two):  # refused presses are written by a batch: write it now
            assert bot.review is not None
            await bot.review.refusals.flush()
    async with database.session() as session:
        refused = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action == "review.refused_decided")
            )
        ).all()
        approvals = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "review.approved"))
        ).all()
        notices = (await session.exec(select(OutboxMessage))).all()
    assert sorted(e.submission_id for e in approvals) == sorted(ids)  # exactly one each
    assert sorted(e.submission_id for e in refused) == sorted(ids)  # and one refusal logged
    assert len(notices) == ROUNDS
    answers = [c.params for c in fake.calls_to("answerCallbackQuery")]
    assert len(answers) == 2 * ROUNDS
    winners = [a for a in answers if a["text"].startswith("Đã duyệt tin, bài")]
    losers = [a for a in answers if "đã được" in a["text"]]
    assert len(winners) == ROUNDS and len(losers) == ROUNDS
    assert all(("Trần Văn An" in a["text"]) or ("Lê Thị Bình" in a["text"]) for a in losers)


async def test_service_compare_and_set_tells_loser_who_won(
    database: Database, files: FileStore
) -> None:
    unit_id, _ = await seed(database)
    [sub_id] = await pending_submissions(database, files, unit_id, 1)

    async def approve(name: str) -> str:
        async with database.session() as session:
            try:
                await decide(
                    session=session,
                    submission_id=sub_id,
                    expected_version=2,
                    decision=SubmissionStatus.APPROVED,
                    editor_name=name,
                    actor=f"editor:{name}",
                    now=datetime.now(UTC),
                )
                await session.commit()
            except StaleTransitionError as exc:
                return f"lost to {exc.decided_by}"
        return "won"

    results = await asyncio.gather(approve("An"), approve("Bình"))
    assert sorted(results) in (["lost to An", "won"], ["lost to Bình", "won"])
