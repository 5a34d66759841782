"""Editors see what they approve and can fix it: the album under the card, «Sửa nội dung»
and «Chọn ảnh bìa» (each a new revision by that editor, shown on the card)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sources.stored import load_draft
from storage.audit import list_audit
from storage.db import Database
from storage.files import FileStore
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.integration.review.test_submit_and_review import submit_text_and_album
from tests.support.bot import EDITORS_CHAT, Harness, running_bot
from tgbot.callbacks import Action, review_data

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration


@pytest.fixture
async def h(
    fake_telegram: FakeTelegram, sqlite_url: str, files: FileStore
) -> AsyncIterator[Harness]:
    async with Database(sqlite_url) as db, running_bot(fake_telegram, db, files) as harness:
        await harness.link_lan()
        yield harness


async def test_the_album_follows_the_card(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    sub = await h.submission()
    card = await h.card(sub_id, sub.version)
    await h.fake.wait_for_call("sendMediaGroup")
    [album] = h.fake.calls_to("sendMediaGroup")
    assert album.params["chat_id"] == EDITORS_CHAT
    reply = album.params.get("reply_parameters") or {}
    assert reply.get("message_id", album.params.get("reply_to_message_id")) == card["message_id"]
    media = album.params["media"]
    assert len(media) == 3 and media[0]["caption"] == f"{sub.code} · ảnh 1–3/3"
    photos = [m for m in h.fake.bot_messages(EDITORS_CHAT) if m.get("photo")]
    assert len(photos) == 3

    async def marked() -> list[int]:
        async with h.db.session() as session:
            events = await list_audit(session=session, submission_id=sub_id)
        return [e.details["card"] for e in events if e.action == "review.media_sent"]

    assert await h.until(marked) == [card["message_id"]]  # sent once, for this card


async def test_edit_body_and_cover_round_trip(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    sub = await h.submission()
    card = await h.card(sub_id, sub.version)
    assert review_data(Action.EDIT_BODY, sub_id, sub.version) in h.fake.button_data(card)
    h.fake.press(h.an, card, review_data(Action.EDIT_BODY, sub_id, sub.version))
    [prompt] = await h.message_to(EDITORS_CHAT, "Nhập nội dung mới cho bài")
    [current] = await h.message_to(EDITORS_CHAT, "Nội dung hiện tại của tin, bài")
    assert current["reply_to_message"]["message_id"] == prompt["message_id"]
    assert "[Ảnh: " in current["text"]  # the body in the form the reply takes
    body = (
        "Sáng 25/11, Sở Y tế tổ chức hội nghị tập huấn chuyển đổi số.\n\n"
        "# Nội dung tập huấn\n\n- Chữ ký số;\n- Dịch vụ công trực tuyến."
    )
    h.fake.inject_text(h.an, body, chat=h.editors, reply_to=prompt)
    [saved] = await h.message_to(EDITORS_CHAT, "Đã lưu bản sửa tin, bài")
    assert "(bản 2)" in saved["text"]
    edited = await h.submission()
    assert edited.revision == 2 and edited.version == sub.version + 1
    card = await h.card(sub_id, edited.version)
    assert "✏️ Bản sửa của biên tập viên" in card["text"] and "(nội dung)" in card["text"]

    h.fake.press(h.an, card, review_data(Action.COVER, sub_id, edited.version))
    [prompt] = await h.message_to(EDITORS_CHAT, "Nhập số thứ tự của ảnh làm ảnh bìa")
    h.fake.inject_text(h.an, "7", chat=h.editors, reply_to=prompt)
    await h.message_to(EDITORS_CHAT, "Bài có 3 ảnh: chọn ảnh bìa từ 1 đến 3.")
    h.fake.inject_text(h.an, "3", chat=h.editors, reply_to=prompt)  # may answer again
    await h.message_to(EDITORS_CHAT, "(bản 3)")
    final = await h.submission()
    async with h.db.session() as session:
        draft, _ = await load_draft(session=session, files=h.files, submission=final)
        events = await list_audit(session=session, submission_id=sub_id)
    assert draft.cover is not None and draft.cover.endswith(".jpg")
    assert [i.content for i in draft.body if i.type != "image"] == [
        "Sáng 25/11, Sở Y tế tổ chức hội nghị tập huấn chuyển đổi số.",
        "Nội dung tập huấn",
        "- Chữ ký số;",
        "- Dịch vụ công trực tuyến.",
    ]
    images = [i.name for i in draft.body if i.type == "image"]
    assert len(images) == 2 and draft.cover not in images  # the chosen cover is not repeated
    edits = [e for e in events if e.action == "review.edit_article"]
    assert [e.details["changed"] for e in edits] == [["body"], ["cover"]]
    assert all(e.actor.startswith("editor:") for e in edits)
    card = await h.card(sub_id, final.version)
    assert "(nội dung, ảnh bìa)" in card["text"]


async def test_version_two_card_shows_the_request_and_what_changed(h: Harness) -> None:
    sub_id = await submit_text_and_album(h)
    first = await h.submission()
    card = await h.card(sub_id, first.version)
    h.fake.press(h.an, card, review_data(Action.REQUEST_CHANGES, sub_id, first.version))
    [prompt] = await h.message_to(EDITORS_CHAT, "Nhập nội dung cần chỉnh sửa")
    h.fake.inject_text(h.an, "Bổ sung tên người phát biểu", chat=h.editors, reply_to=prompt)
    [request] = await h.message_to(h.lan.id, "đề nghị chỉnh sửa tin, bài")
    h.fake.inject_text(
        h.lan,
        "Hội nghị tập huấn chuyển đổi số\n\nĐồng chí Giám đốc Sở phát biểu khai mạc.",
        reply_to=request,
    )
    [summary] = await h.message_to(h.lan.id, f"Bản sửa cho tin, bài {first.code}")
    h.fake.press(h.lan, summary, "dr:send")
    await h.message_to(h.lan.id, "bản 2")
    second = await h.submission()
    card = await h.card(sub_id, second.version)
    assert "(bản 2)" in card["text"]
    assert "↩️ Trả lời đề nghị chỉnh sửa của" in card["text"]
    assert "Bổ sung tên người phát biểu" in card["text"]
    assert "Thay đổi so với bản 1:" in card["text"]
    assert "+ Đồng chí Giám đốc Sở phát biểu khai mạc." in card["text"]
    assert "• Ảnh:" not in card["text"]  # a version without photos keeps the earlier ones
