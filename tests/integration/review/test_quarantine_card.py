"""Mail from an unknown sender gets a card; an editor names the unit from Telegram."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from domain.kinds import Channel, UnitKind
from domain.states import SubmissionStatus as S
from intake.accept import Incoming, accept
from storage.db import Database
from storage.files import FileStore
from storage.models import AuditEvent, OutboxMessage, Submission, UnitAddress
from storage.registry import get_unit_by_code, upsert_unit
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram  # noqa: F401
from tests.support.bot import EDITORS_CHAT, running_bot, seed
from tgbot.callbacks import Action, review_data

pytestmark = pytest.mark.integration


async def unknown_mail(db: Database, files: FileStore, **fields: Any) -> Submission:
    """A mail from an unregistered address, stored (so quarantined)."""
    incoming = Incoming(channel=Channel.EMAIL, received_at=datetime.now(UTC), **fields)
    async with db.session() as session:
        sub = (await accept(incoming, session=session, files=files)).submission
        await session.commit()
    assert sub.status == S.QUARANTINED
    return sub


async def test_editor_assigns_unit_from_the_card(
    sqlite_url: str,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN a quarantined mail WHEN an editor answers the card's prompt with a unit code THEN
    (after one mistyped code) it goes to review with a normal card, and the sender is known."""
    async with Database(sqlite_url) as db:
        seeded = await seed(db)
        sub = await unknown_mail(
            db,
            files,
            source_key="email:unknown",
            sender="tuyentruyen.yte@gmail.com",
            title="Phòng chống sốt xuất huyết",
            text="Nội dung",
            reply_to_message_id="<q1@gmail.com>",
        )
        assert sub.status == S.QUARANTINED and sub.id is not None
        async with running_bot(fake_telegram, db, files, seeded=seeded) as h:
            card = await h.card(sub.id, sub.version)
            assert "Người gửi chưa đăng ký" in card["text"]
            assert h.fake.button_data(card) == [
                review_data(Action.ASSIGN_UNIT, sub.id, sub.version),
                review_data(Action.DISMISS, sub.id, sub.version),
            ]
            refused = await h.answer(
                h.fake.press(
                    h.stranger, card, review_data(Action.ASSIGN_UNIT, sub.id, sub.version)
                )
            )
            assert refused["show_alert"] is True
            h.fake.press(h.an, card, review_data(Action.ASSIGN_UNIT, sub.id, sub.version))
            [prompt] = await h.message_to(EDITORS_CHAT, "Nhập tên hoặc mã đơn vị")
            h.fake.inject_text(h.an, "so-khong-co", chat=h.editors, reply_to=prompt)
            [error] = await h.message_to(EDITORS_CHAT, "Không tìm thấy đơn vị «so-khong-co»")
            h.fake.inject_text(h.an, "Sở Khỏe", chat=h.editors, reply_to=error)
            [again] = await h.message_to(EDITORS_CHAT, "Không tìm thấy đơn vị «Sở Khỏe»")
            # A reply to the error answer counts; the name matches without diacritics.
            h.fake.inject_text(h.an, "so y te", chat=h.editors, reply_to=again)
            await h.message_to(EDITORS_CHAT, "Đã gán tin, bài")
            assigned = await h.submission()
            card = await h.card(sub.id, assigned.version)
            assert review_data(Action.APPROVE, sub.id, assigned.version) in h.fake.button_data(
                card
            )
        async with db.session() as session:
            remembered = select(UnitAddress.unit_id).where(
                UnitAddress.value == "tuyentruyen.yte@gmail.com"
            )
            unit_id = (await session.exec(remembered)).one_or_none()
            mails = (await session.exec(select(OutboxMessage))).all()
    assert assigned.status == S.PENDING_REVIEW and assigned.unit_id == seeded[0]
    assert unit_id == seeded[0]
    assert [(m.recipient, m.in_reply_to) for m in mails if m.channel == "email"] == [
        ("tuyentruyen.yte@gmail.com", "<q1@gmail.com>")
    ]


async def test_several_matching_units_become_a_choice_of_buttons(
    sqlite_url: str,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN three units named "… Thái Bình" WHEN an editor answers "thai binh" THEN the bot
    offers one button per unit; pressing one assigns the item to that unit."""
    async with Database(sqlite_url) as db:
        seeded = await seed(db)
        async with db.session() as session:
            for code, name in [
                ("tp-thai-binh", "Ủy ban nhân dân thành phố Thái Bình"),
                ("bao-thai-binh", "Báo Thái Bình"),
                ("dai-ptth-thai-binh", "Đài Phát thanh và Truyền hình Thái Bình"),
            ]:
                await upsert_unit(session=session, code=code, name=name, kind=UnitKind.PRESS)
            await session.commit()
            bao = await get_unit_by_code(session=session, code="bao-thai-binh")
        assert bao is not None and bao.id is not None
        sub = await unknown_mail(
            db, files, source_key="email:unknown-2", sender="toasoan@gmail.com",
            title="Tin thời sự", text="Nội dung",
        )  # fmt: skip
        assert sub.id is not None
        async with running_bot(fake_telegram, db, files, seeded=seeded) as h:
            card = await h.card(sub.id, sub.version)
            h.fake.press(h.an, card, review_data(Action.ASSIGN_UNIT, sub.id, sub.version))
            [prompt] = await h.message_to(EDITORS_CHAT, "Nhập tên hoặc mã đơn vị")
            h.fake.inject_text(h.an, "thai binh", chat=h.editors, reply_to=prompt)
            [choice] = await h.message_to(EDITORS_CHAT, "Có nhiều đơn vị khớp «thai binh»")
            buttons = h.fake.button_data(choice)
            assert len(buttons) == 3
            pick = review_data(Action.PICK_UNIT, sub.id, sub.version, bao.id)
            assert pick in buttons
            answered = await h.answer(h.fake.press(h.an, choice, pick))
            assert "Đã gán tin, bài" in answered["text"]
            assigned = await h.until(lambda: _assigned(db))
    assert assigned.unit_id == bao.id and assigned.status == S.PENDING_REVIEW


async def _assigned(db: Database) -> Submission | None:
    async with db.session() as session:
        sub = (await session.exec(select(Submission))).one()
    return sub if sub.status == S.PENDING_REVIEW else None


async def test_editor_dismisses_an_auto_reply_without_telling_anyone(
    sqlite_url: str,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN an out-of-office reply waiting in quarantine WHEN an editor dismisses it with a
    reason THEN it is rejected with who and why, its card says so without buttons, a second
    press is refused, and no message goes to the sender."""
    async with Database(sqlite_url) as db:
        seeded = await seed(db)
        sub = await unknown_mail(
            db,
            files,
            source_key="email:ooo",
            sender="vanthu@example.vn",
            title="Trả lời tự động: Đã nhận bài",
            text="Tôi đang nghỉ phép đến hết tuần.",
            warnings=["automated_message"],
        )
        assert sub.id is not None
        async with running_bot(fake_telegram, db, files, seeded=seeded) as h:
            card = await h.card(sub.id, sub.version)
            press = review_data(Action.DISMISS, sub.id, sub.version)
            refused = await h.answer(h.fake.press(h.stranger, card, press))
            assert refused["show_alert"] is True
            h.fake.press(h.an, card, press)
            [prompt] = await h.message_to(EDITORS_CHAT, "Nhập lý do loại bỏ")
            h.fake.inject_text(h.an, "Thư trả lời tự động", chat=h.editors, reply_to=prompt)
            await h.message_to(EDITORS_CHAT, "Đã loại bỏ tin, bài")
            dismissed = await h.submission()
            card = await h.card(sub.id, dismissed.version)
            assert h.fake.button_data(card) == []
            assert "đã từ chối lúc" in card["text"] and "Thư trả lời tự động" in card["text"]
            late = await h.answer(h.fake.press(h.binh, card, press))
            assert late["show_alert"] is True and "Không được duyệt" in late["text"]
        async with db.session() as session:
            mails = (await session.exec(select(OutboxMessage))).all()
            audit = (
                await session.exec(
                    select(AuditEvent).where(AuditEvent.action == "quarantine.dismissed")
                )
            ).all()
    assert dismissed.status == S.REJECTED and dismissed.unit_id is None
    assert dismissed.decision_reason == "Thư trả lời tự động"
    assert dismissed.decided_by is not None and dismissed.decided_at is not None
    assert [(a.actor.startswith("editor:"), a.reason) for a in audit] == [
        (True, "Thư trả lời tự động")
    ]
    assert dismissed.decided_by == "Trần Văn An"
    assert [m for m in mails if m.channel == "email"] == []
