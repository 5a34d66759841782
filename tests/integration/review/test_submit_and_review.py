"""End to end: officer drafts and sends; editors decide with buttons; the officer hears back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from domain.states import SubmissionStatus
from storage.audit import list_audit
from storage.db import Database
from storage.files import FileStore
from storage.models import OutboxMessage, Submission
from storage.submissions import list_attachments, transition
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import EDITORS_CHAT, Harness, running_bot
from tgbot.callbacks import Action, review_data

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration
S = SubmissionStatus


@pytest.fixture
async def sqlite_db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as db:
        yield db


@pytest.fixture
async def h(
    fake_telegram: FakeTelegram, sqlite_db: Database, files: FileStore
) -> AsyncIterator[Harness]:
    async with running_bot(fake_telegram, sqlite_db, files) as harness:
        await harness.link_lan()
        yield harness


async def submit_text_and_album(h: Harness) -> int:
    """Lan sends a text and a 3-photo album, then «Gửi duyệt»; returns the submission id."""
    h.fake.inject_text(h.lan, "Hội nghị tập huấn chuyển đổi số\nSáng 25/11, Sở Y tế tổ chức...")
    h.fake.inject_album(h.lan, [b"img-1", b"img-2", b"img-3"], caption="Ảnh hội nghị")
    await h.send_draft(h.lan)
    await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài, mã tiếp nhận")
    sub = await h.submission()
    assert sub.id is not None
    return sub.id


async def test_text_and_album_become_one_submission_with_card(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    sub = await h.submission()
    assert sub.status == S.PENDING_REVIEW and sub.unit_id == h.unit_id
    assert sub.title == "Hội nghị tập huấn chuyển đổi số"
    assert "Ảnh hội nghị" in sub.text
    summaries = [c for c in h.fake.calls_to("sendMessage") if "Bản nháp" in c.params["text"]]
    assert len(summaries) == 1  # the album was debounced into one summary
    [receipt] = await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài, mã tiếp nhận")
    assert sub.code in receipt["text"]
    async with h.db.session() as session:
        files = await list_attachments(session=session, submission_id=sub_id)
    assert [h.files.read(f.sha256) for f in files] == [b"img-1", b"img-2", b"img-3"]
    assert {f.media for f in files} == {"image"}
    card = await h.card(sub_id, sub.version)
    assert "Sở Y tế" in card["text"] and "Nguyễn Thị Lan" in card["text"]
    assert "3 ảnh" in card["text"] and sub.code in card["text"]
    data = h.fake.button_data(card)
    assert review_data(Action.APPROVE, sub_id, sub.version) in data
    assert all(len(d.encode()) <= 64 for d in data)


async def test_approve_reaches_officer_and_card_shows_who(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    sub = await h.submission()
    card = await h.card(sub_id, sub.version)
    answer = await h.answer(
        h.fake.press(h.an, card, review_data(Action.APPROVE, sub_id, sub.version))
    )
    assert "Đã duyệt" in answer["text"]
    await h.message_to(h.lan.id, "đã được Ban Biên tập duyệt")
    decided = await h.submission()
    assert decided.status == S.APPROVED and decided.decided_by == "Trần Văn An"
    card = await h.card(sub_id, decided.version)
    assert "Trần Văn An đã duyệt lúc" in card["text"]
    assert h.fake.button_data(card) == []
    async with h.db.session() as session:
        actions = [e.action for e in await list_audit(session=session, submission_id=sub_id)]
    assert "review.approved" in actions


async def test_card_keeps_who_approved_while_scheduled_and_published(h: Harness) -> None:
    """GIVEN an approved card WHEN the publisher schedules then publishes the item THEN each
    re-rendered card still says who approved it and when, and then where the item is now."""
    sub_id = await submit_text_and_album(h)
    sub = await h.submission()
    card = await h.card(sub_id, sub.version)
    await h.answer(h.fake.press(h.an, card, review_data(Action.APPROVE, sub_id, sub.version)))
    sub = await h.until(lambda: _status_is(h, S.APPROVED))
    for old, new, label in [
        (S.APPROVED, S.SCHEDULED, "Đã hẹn giờ đăng"),
        (S.SCHEDULED, S.PUBLISHING, "Đang đăng"),
        (S.PUBLISHING, S.PUBLISHED, "Đã đăng"),
    ]:
        async with h.db.session() as session:
            sub = await transition(
                session=session, submission_id=sub_id, expected_status=old,
                expected_version=sub.version, new_status=new, actor="system",
            )  # fmt: skip
            await session.commit()
        card = await h.card(sub_id, sub.version)
        assert "✅ Trần Văn An đã duyệt lúc" in card["text"]
        assert card["text"].splitlines()[-1] == f"Trạng thái: {label}"


async def _status_is(h: Harness, status: SubmissionStatus) -> Submission | None:
    sub = await h.submission()
    return sub if sub.status == status else None


async def test_reject_asks_reason_by_force_reply(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    sub = await h.submission()
    card = await h.card(sub_id, sub.version)
    h.fake.press(h.binh, card, review_data(Action.REJECT, sub_id, sub.version))
    [prompt] = await h.message_to(EDITORS_CHAT, "Nhập lý do từ chối")
    prompt_call = next(c for c in h.fake.calls_to("sendMessage") if c.result is prompt)
    assert prompt_call.params["reply_markup"]["force_reply"] is True
    h.fake.inject_text(
        h.binh, "Trùng nội dung đã đăng tháng trước", chat=h.editors, reply_to=prompt
    )
    [notice] = await h.message_to(h.lan.id, "không được duyệt")
    assert "Trùng nội dung đã đăng tháng trước" in notice["text"]
    decided = await h.submission()
    assert (
        decided.status == S.REJECTED
        and decided.decision_reason == "Trùng nội dung đã đăng tháng trước"
    )
    card = await h.card(sub_id, decided.version)
    assert "Lê Thị Bình đã từ chối lúc" in card["text"]


async def test_request_changes_loop_makes_version_two(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    first = await h.submission()
    card = await h.card(sub_id, first.version)
    h.fake.press(h.an, card, review_data(Action.REQUEST_CHANGES, sub_id, first.version))
    [prompt] = await h.message_to(EDITORS_CHAT, "Nhập nội dung cần chỉnh sửa")
    h.fake.inject_text(h.an, "Bổ sung tên người phát biểu", chat=h.editors, reply_to=prompt)
    [request] = await h.message_to(h.lan.id, "đề nghị chỉnh sửa tin, bài")
    assert h.fake.button_data(request) == [f"dr:rev:{sub_id}"]
    # Lan answers by replying to the request
    h.fake.inject_text(h.lan, "Bản sửa: đồng chí Giám đốc Sở phát biểu khai mạc", reply_to=request)
    [summary] = await h.message_to(h.lan.id, f"Bản sửa cho tin, bài {first.code}")
    h.fake.press(h.lan, summary, "dr:send")
    await h.message_to(h.lan.id, "bản 2")
    second = await h.submission()
    assert second.code == first.code and second.revision == 2
    assert second.status == S.PENDING_REVIEW
    assert second.received_at == first.received_at  # counts in the original month
    assert "Giám đốc Sở" in second.text
    card2 = await h.card(sub_id, second.version)
    assert card2["message_id"] != card["message_id"]  # a new card for the new version
    assert "(bản 2)" in card2["text"]
    assert h.fake.button_data(h.fake.message(EDITORS_CHAT, card["message_id"])) == []


async def test_stranger_and_stale_presses_are_refused(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    sub = await h.submission()
    card = await h.card(sub_id, sub.version)
    old = review_data(Action.APPROVE, sub_id, sub.version)
    refused = await h.answer(h.fake.press(h.stranger, card, old))
    assert refused["show_alert"] is True
    assert "chưa được đăng ký là biên tập viên" in refused["text"]
    # an editor changes the kind: the version moves on, the old button is stale
    await h.answer(h.fake.press(h.an, card, review_data(Action.KIND_NEWS, sub_id, sub.version)))
    stale = await h.answer(h.fake.press(h.binh, card, old))
    assert "Phiếu duyệt này đã cũ" in stale["text"]
    still = await h.submission()
    assert still.status == S.PENDING_REVIEW and still.kind == "news"

    async def refusals() -> list[tuple[str, str]]:
        # the press is answered before its audit row commits: wait for the row
        async with h.db.session() as session:
            events = await list_audit(session=session, submission_id=sub_id)
        found = [(e.actor, e.action) for e in events if e.action.startswith("review.refused")]
        return found if len(found) >= 2 else []

    assert await h.until(refusals) == [
        ("tg:3001", "review.refused_not_editor"),
        ("tg:2002", "review.refused_stale"),
    ]


async def test_flood_control_is_waited_out_and_nothing_is_sent_twice(h: Harness) -> None:
    h.fake.fail_next("sendMessage", 429, parameters={"retry_after": 1})
    h.fake.inject_text(h.lan, "Tin ngắn về tiêm chủng mở rộng")
    [summary] = await h.message_to(h.lan.id, "Bấm «Gửi duyệt»")  # the summary waited 1 s
    h.fake.fail_next("sendMessage", 429, parameters={"retry_after": 1})
    h.fake.press(h.lan, summary, "dr:send")  # the receipt or the card meets this 429
    await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài, mã tiếp nhận")
    await h.until(lambda: _sent_row(h))
    sub = await h.submission()
    await h.card(sub.id or 0, sub.version)
    calls = h.fake.calls_to("sendMessage", include_failed=True)
    assert len([c for c in calls if not c.ok]) == 2  # both waited out...
    receipts = [c for c in calls if c.ok and "Đã tiếp nhận tin, bài" in c.params["text"]]
    cards = [c for c in calls if c.ok and c.params["chat_id"] == EDITORS_CHAT]
    assert len(receipts) == 1 and len(cards) == 1  # ...and each message arrived once
    sub = await h.submission()
    card = await h.card(sub.id or 0, sub.version)
    h.fake.fail_next("editMessageText", 429, parameters={"retry_after": 1})
    h.fake.press(h.an, card, review_data(Action.APPROVE, sub.id or 0, sub.version))
    await h.message_to(h.lan.id, "đã được Ban Biên tập duyệt")
    decided = await h.submission()
    card = await h.card(sub.id or 0, decided.version)
    assert "đã duyệt lúc" in card["text"]
    edits = h.fake.calls_to("editMessageText", include_failed=True)
    assert [c.ok for c in edits] == [False, True]


async def _sent_row(h: Harness) -> OutboxMessage | None:
    async with h.db.session() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
    return row if row.status == "sent" else None


async def test_send_revision_button_then_new_message_makes_version_two(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    first = await h.submission()
    card = await h.card(sub_id, first.version)
    h.fake.press(h.binh, card, review_data(Action.REQUEST_CHANGES, sub_id, first.version))
    [prompt] = await h.message_to(EDITORS_CHAT, "Nhập nội dung cần chỉnh sửa")
    h.fake.inject_text(h.binh, "Thay ảnh rõ hơn", chat=h.editors, reply_to=prompt)
    [request] = await h.message_to(h.lan.id, "Nội dung cần chỉnh sửa: Thay ảnh rõ hơn")
    h.fake.press(h.lan, request, f"dr:rev:{sub_id}")
    await h.message_to(h.lan.id, f"đang soạn bản sửa cho tin, bài {first.code}")
    h.fake.inject_photo(h.lan, b"sharper", caption="Ảnh mới")
    [summary] = await h.message_to(h.lan.id, f"Bản sửa cho tin, bài {first.code} gồm: 1 ảnh")
    h.fake.press(h.lan, summary, "dr:send")
    await h.message_to(h.lan.id, "bản 2")
    second = await h.submission()
    assert (second.revision, second.status) == (2, S.PENDING_REVIEW)
    async with h.db.session() as session:
        files = await list_attachments(session=session, submission_id=sub_id, revision=2)
    assert [h.files.read(f.sha256) for f in files] == [b"sharper"]
    # a stray «Gửi bản sửa» press later, when nothing is waiting for changes, is explained
    h.fake.press(h.lan, request, f"dr:rev:{sub_id}")
    await h.message_to(h.lan.id, "hiện không ở trạng thái cần chỉnh sửa")


async def test_an_edit_in_the_draft_replaces_the_message_and_a_late_edit_is_explained(
    h: Harness,
) -> None:
    """GIVEN a draft WHEN the officer edits a message in it THEN the submission carries the
    edited text once (in the message's place); an edit after sending changes nothing and is
    explained; an editor's edited reason is not taken as a second answer."""
    first = h.fake.inject_text(h.lan, "Hội nghị chuyển đổi số\nSáng 25/11 tại Sở")
    h.fake.inject_photo(h.lan, b"img-1", caption="Ảnh hội nghị")
    await h.fake.wait_until_consumed()
    h.fake.inject_edit(first, text="Hội nghị chuyển đổi số năm 2026\nSáng 25/11 tại Sở Y tế")
    await h.message_to(h.lan.id, "Đã cập nhật nội dung tin nhắn vừa sửa")
    await h.send_draft(h.lan)
    await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài, mã tiếp nhận")
    sub = await h.submission()
    assert sub.title == "Hội nghị chuyển đổi số năm 2026"
    assert sub.text.startswith("Hội nghị chuyển đổi số năm 2026\nSáng 25/11 tại Sở Y tế")
    assert "tại Sở\n" not in sub.text and sub.text.count("Hội nghị chuyển đổi số") == 1
    assert "Ảnh hội nghị" in sub.text
    h.fake.inject_edit(first, text="Sửa sau khi đã gửi")
    await h.message_to(h.lan.id, "không còn thuộc bản nháp")
    assert (await h.submission()).text == sub.text
    card = await h.card(sub.id or 0, sub.version)
    h.fake.press(h.binh, card, review_data(Action.REJECT, sub.id or 0, sub.version))
    [prompt] = await h.message_to(EDITORS_CHAT, "Nhập lý do từ chối")
    reason = h.fake.inject_text(h.binh, "Trùng nội dung", chat=h.editors, reply_to=prompt)
    await h.message_to(h.lan.id, "không được duyệt")
    h.fake.inject_edit(reason, text="Lý do khác hẳn")
    await h.message_to(EDITORS_CHAT, "Sửa câu trả lời không thay đổi gì")
    decided = await h.submission()
    assert (decided.status, decided.decision_reason) == (S.REJECTED, "Trùng nội dung")


async def test_replies_are_routed_by_message_id_not_by_wording(h: Harness) -> None:
    """GIVEN a «Sửa tiêu đề» prompt WHEN the reply carries the prompt with other wording THEN
    it still answers that prompt; a reply to the card itself (no prompt) is left alone; a
    second answer to the same prompt is told it came too late and changes nothing."""
    sub_id = await submit_text_and_album(h)
    sub = await h.submission()
    card = await h.card(sub_id, sub.version)
    comment = h.fake.inject_text(h.an, "Nhập thêm ảnh nhé", chat=h.editors, reply_to=card)
    h.fake.press(h.an, card, review_data(Action.EDIT_TITLE, sub_id, sub.version))
    [prompt] = await h.message_to(EDITORS_CHAT, "Nhập tiêu đề mới")
    reworded = {**prompt, "text": "Tiêu đề mới? (lời nhắc đã đổi cách viết)"}
    h.fake.inject_text(
        h.an, "Tập huấn chuyển đổi số ngành y tế", chat=h.editors, reply_to=reworded
    )
    await h.message_to(EDITORS_CHAT, f"Đã cập nhật tin, bài {sub.code}")
    h.fake.inject_text(h.an, "Một tiêu đề khác", chat=h.editors, reply_to=prompt)
    await h.message_to(EDITORS_CHAT, "Yêu cầu này đã hết hạn")
    edited = await h.submission()
    assert edited.title == "Tập huấn chuyển đổi số ngành y tế"
    answered = [
        c.params
        for c in h.fake.calls_to("sendMessage")
        if (c.params.get("reply_parameters") or {}).get("message_id")
        == comment["message"]["message_id"]
        or c.params.get("reply_to_message_id") == comment["message"]["message_id"]
    ]
    assert answered == []  # the comment under the card got no answer
