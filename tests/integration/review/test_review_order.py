"""The order of the work an approval causes: every press answered first, then the cards.

Several editors pressing the same card are answered before the card sync, the outbox and the
publisher start on the decision (review.after_presses); in the editors' chat a card an editor
has just decided is edited before older cards waiting, and a card is read when its turn comes,
so one edit shows what changed while it waited (review.sync).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from telegram import Bot

from domain.kinds import Channel, SubmissionKind
from domain.states import SubmissionStatus
from intake.accept import Incoming, accept
from review.service import decide, edit_field
from review.sync import CardSync
from storage.db import Database
from storage.files import FileStore
from storage.models import Submission
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import EDITORS_CHAT, Harness, running_bot, seed
from tgbot.callbacks import Action, review_data

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as database:
        yield database


async def pending_cards(h: Harness, n: int) -> list[tuple[int, dict]]:  # type: ignore[type-arg]
    """`n` e-mail submissions waiting for review, each with its card: (id, card message)."""
    ids = []
    async with h.db.session() as session:
        for i in range(n):
            incoming = Incoming(
                channel=Channel.EMAIL,
                source_key=f"order-{i}",
                received_at=datetime.now(UTC),
                sender="lan@soyte.example.vn",
                title=f"Tin số {i}",
                text="Nội dung bài viết",
                unit_id=h.unit_id,
            )
            sub = (await accept(incoming, session=session, files=h.files)).submission
            assert sub.id is not None
            ids.append(sub.id)
        await session.commit()
    assert h.bot.cards is not None
    h.bot.cards.wake()
    return [(sub_id, await h.card(sub_id, await version(h, sub_id))) for sub_id in ids]


async def version(h: Harness, sub_id: int) -> int:
    async with h.db.session() as session:
        sub = await session.get(Submission, sub_id, populate_existing=True)
    assert sub is not None
    return sub.version


def edits_of(h: Harness, message_id: int) -> list[float]:
    return [
        c.received_at
        for c in h.fake.calls_to("editMessageText")
        if c.params.get("chat_id") == EDITORS_CHAT and c.params.get("message_id") == message_id
    ]


async def test_every_press_on_a_card_is_answered_before_the_card_is_edited(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    async with running_bot(fake_telegram, db, files) as h:
        [(sub_id, card)] = await pending_cards(h, 1)
        assert h.bot.review is not None
        # a generous pause, so the order holds on a loaded machine too
        h.bot.review.after_presses.quiet = 1.0
        h.bot.review.after_presses.linger = 5.0
        data = review_data(Action.APPROVE, sub_id, await version(h, sub_id))
        presses = [h.fake.press(user, card, data) for user in (h.an, h.binh, h.stranger)]
        for press in presses:
            await h.answer(press)
        await h.card(sub_id, await version(h, sub_id))  # the decision reaches the card
        answered = max(
            c.received_at
            for c in h.fake.calls_to("answerCallbackQuery")
            if c.params["callback_query_id"] in {p["callback_query"]["id"] for p in presses}
        )
        [edited] = edits_of(h, card["message_id"])
        assert answered < edited
        assert not h.bot.review.after_presses.owed


async def test_a_card_just_decided_is_edited_first_and_a_waiting_card_once(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    """The card sync alone (no bot polling beside it), so nothing else edits a card."""
    fake = fake_telegram
    fake.group(EDITORS_CHAT, "Ban biên tập")
    unit_id, _ = await seed(db)
    ids = await submissions(db, files, unit_id, 3)
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot:
        cards = CardSync(db=db, bot=bot, chat_id=EDITORS_CHAT, interval=0.0)
        assert await cards.sync_once() == 3  # the three cards posted
        message = {sub_id: await card_message(db, sub_id) for sub_id in ids}
        old1, old2, new = ids
        cards.pacer.interval = 2.0  # as deployed: one call to the editors' chat at a time
        await change_kind(db, old1, SubmissionKind.NEWS)
        await change_kind(db, old2, SubmissionKind.NEWS)
        async with db.session() as session:
            sub = await decide(
                session=session, submission_id=new, expected_version=await current(db, new),
                decision=SubmissionStatus.APPROVED, editor_name="Trần Văn An", actor="editor:1",
                now=datetime.now(UTC),
            )  # fmt: skip
            await session.commit()
        cards.first(new)
        syncing = asyncio.create_task(cards.sync_once())
        await fake.wait_for_call("editMessageText", timeout=10)  # the first edit of the pass
        # while the older cards wait for their turn, one of them changes again
        latest = await change_kind(db, old2, SubmissionKind.POSTER)
        assert await syncing == 3
    [first] = edits(fake, message[new])
    [second] = edits(fake, message[old1])
    [third] = edits(fake, message[old2])  # once, showing the latest version
    assert first < second < third
    async with db.session() as session:
        shown = await session.get(Submission, old2, populate_existing=True)
    assert shown is not None and shown.card_version == latest
    assert sub.status == SubmissionStatus.APPROVED


async def submissions(db: Database, files: FileStore, unit_id: int, n: int) -> list[int]:
    ids = []
    async with db.session() as session:
        for i in range(n):
            incoming = Incoming(
                channel=Channel.EMAIL,
                source_key=f"first-{i}",
                received_at=datetime.now(UTC),
                sender="lan@soyte.example.vn",
                title=f"Tin số {i}",
                text="Nội dung bài viết",
                unit_id=unit_id,
            )
            sub = (await accept(incoming, session=session, files=files)).submission
            assert sub.id is not None
            ids.append(sub.id)
        await session.commit()
    return ids


async def current(db: Database, sub_id: int) -> int:
    async with db.session() as session:
        sub = await session.get(Submission, sub_id, populate_existing=True)
    assert sub is not None
    return sub.version


async def card_message(db: Database, sub_id: int) -> int:
    async with db.session() as session:
        sub = await session.get(Submission, sub_id, populate_existing=True)
    assert sub is not None and sub.card_message_id is not None
    return sub.card_message_id


async def change_kind(db: Database, sub_id: int, kind: SubmissionKind) -> int:
    """Change a submission without waking anything (as the web console would); new version."""
    async with db.session() as session:
        sub = await edit_field(
            session=session,
            submission_id=sub_id,
            expected_version=await current(db, sub_id),
            field="kind",
            value=kind.value,
            actor="test",
        )
        await session.commit()
    return sub.version


def edits(fake: FakeTelegram, message_id: int) -> list[float]:
    return [
        c.received_at
        for c in fake.calls_to("editMessageText")
        if c.params.get("chat_id") == EDITORS_CHAT and c.params.get("message_id") == message_id
    ]
