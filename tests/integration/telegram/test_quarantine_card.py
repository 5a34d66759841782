"""Mail from an unknown sender gets a card; an editor names the unit from Telegram."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fakes.telegram_api import FakeTelegram
from fakes.telegram_fixture import fake_telegram  # noqa: F401
from sqlmodel import select

from domain.kinds import Channel
from domain.states import SubmissionStatus as S
from intake.accept import Incoming, accept
from review.callbacks import Action, encode
from storage.db import Database
from storage.files import FileStore
from storage.models import OutboxMessage
from storage.registry import find_unit_by_address
from tests.integration.telegram.harness import EDITORS_CHAT, running_bot, seed

pytestmark = pytest.mark.integration


async def test_editor_assigns_unit_from_the_card(
    sqlite_url: str,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN a quarantined mail WHEN an editor answers the card's prompt with a unit code THEN
    (after one mistyped code) it goes to review with a normal card, and the sender is known."""
    async with Database(sqlite_url) as db:
        seeded = await seed(db)
        async with db.session() as session:
            sub = (
                await accept(
                    Incoming(
                        channel=Channel.EMAIL,
                        source_key="email:unknown",
                        received_at=datetime.now(UTC),
                        sender="tuyentruyen.yte@gmail.com",
                        title="Phòng chống sốt xuất huyết",
                        text="Nội dung",
                        reply_to_message_id="<q1@gmail.com>",
                    ),
                    session=session,
                    files=files,
                )
            ).submission
            await session.commit()
        assert sub.status == S.QUARANTINED and sub.id is not None
        async with running_bot(fake_telegram, db, files, seeded=seeded) as h:
            card = await h.card(sub.id, sub.version)
            assert "Người gửi chưa đăng ký" in card["text"]
            assert h.fake.button_data(card) == [encode(Action.ASSIGN_UNIT, sub.id, sub.version)]
            refused = await h.answer(
                h.fake.press(h.stranger, card, encode(Action.ASSIGN_UNIT, sub.id, sub.version))
            )
            assert refused["show_alert"] is True
            h.fake.press(h.an, card, encode(Action.ASSIGN_UNIT, sub.id, sub.version))
            [prompt] = await h.message_to(EDITORS_CHAT, "Nhập mã đơn vị")
            h.fake.inject_text(h.an, "so-khong-co", chat=h.editors, reply_to=prompt)
            await h.message_to(EDITORS_CHAT, "Không có đơn vị mã 'so-khong-co'")
            h.fake.inject_text(h.an, "so-yte", chat=h.editors, reply_to=prompt)
            await h.message_to(EDITORS_CHAT, "Đã gán bài")
            assigned = await h.submission()
            card = await h.card(sub.id, assigned.version)
            assert encode(Action.APPROVE, sub.id, assigned.version) in h.fake.button_data(card)
        async with db.session() as session:
            unit = await find_unit_by_address(session=session, address="tuyentruyen.yte@gmail.com")
            mails = (await session.exec(select(OutboxMessage))).all()
    assert assigned.status == S.PENDING_REVIEW and assigned.unit_id == seeded[0]
    assert unit is not None and unit.id == seeded[0]
    assert [(m.recipient, m.in_reply_to) for m in mails if m.channel == "email"] == [
        ("tuyentruyen.yte@gmail.com", "<q1@gmail.com>")
    ]
