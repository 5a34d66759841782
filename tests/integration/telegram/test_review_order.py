"""The order of the work an approval causes: every press answered first, then the cards.

Several editors pressing the same card are answered before the card sync, the outbox and the
publisher start on the decision (review.after_presses); in the editors' chat a card an editor
has just decided is edited before older cards waiting, and a card is read when its turn comes,
so one edit shows what changed while it waited (review.sync).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from fakes.telegram_api import FakeTelegram
from fakes.telegram_fixture import fake_telegram

from domain.kinds import Channel, SubmissionKind
from intake.accept import Incoming, accept
from review.callbacks import Action, encode
from review.service import edit_field
from storage.db import Database
from storage.files import FileStore
from storage.models import Submission

from .harness import EDITORS_CHAT, Harness, running_bot

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


async def edit_kind(h: Harness, sub_id: int, kind: SubmissionKind) -> int:
    """Change a submission without waking anything (as another process would); new version."""
    async with h.db.session() as session:
        sub = await edit_field(
            session=session,
            submission_id=sub_id,
            expected_version=await version(h, sub_id),
            field="kind",
            value=kind.value,
            actor="test",
        )
        await session.commit()
    return sub.version


async def edited(h: Harness, message_id: int) -> bool:
    return bool(edits_of(h, message_id))


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
        data = encode(Action.APPROVE, sub_id, await version(h, sub_id))
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
    async with running_bot(fake_telegram, db, files) as h:
        assert h.bot.cards is not None
        h.bot.cards.idle_seconds = 60.0  # only wakes start a pass in this test
        (old1, card1), (old2, card2), (new, card3) = await pending_cards(h, 3)
        h.bot.cards.pacer.interval = 1.5  # as deployed: one call to the editors' chat at a time
        await edit_kind(h, old1, SubmissionKind.NEWS)
        await edit_kind(h, old2, SubmissionKind.NEWS)
        approve = encode(Action.APPROVE, new, await version(h, new))
        await h.answer(h.fake.press(h.an, card3, approve))
        await h.until(lambda: edited(h, card3["message_id"]))
        # while the older cards wait for their turn, one of them changes again
        latest = await edit_kind(h, old2, SubmissionKind.POSTER)
        await h.card(old2, latest)
        [first] = edits_of(h, card3["message_id"])
        [second] = edits_of(h, card1["message_id"])
        assert first < second
        assert len(edits_of(h, card2["message_id"])) == 1  # shows `latest` at once
        assert second < edits_of(h, card2["message_id"])[0]
        assert (await h.card(old1, await version(h, old1)))["message_id"] == card1["message_id"]
