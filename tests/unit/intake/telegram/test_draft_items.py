"""Draft items from recorded Telegram updates (pure)."""

from __future__ import annotations

from typing import Any

from domain.kinds import SubmissionKind
from intake.telegram.draft_items import body_of, guess_kind, is_supported, summary_items, title_of
from tgbot.messages import draft_items, item_of, message_key


def update(update_id: int, **message: Any) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": update_id, **message}}


def photo(file_id: str, size: int) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "file_unique_id": file_id,
        "width": 90,
        "height": 90,
        "file_size": size,
    }


def test_album_items_keep_the_largest_photo_and_the_caption() -> None:
    items = [
        item_of(
            update(
                1,
                photo=[photo("small", 10), photo("big", 900)],
                caption="Ảnh 1",
                media_group_id="g",
            )
        ),
        item_of(update(2, photo=[photo("p2", 500)], media_group_id="g")),
    ]
    assert [i.file_id for i in items if i] == ["big", "p2"]
    assert items[0] is not None and items[0].text == "Ảnh 1" and items[0].media == "image"
    assert summary_items([i for i in items if i]) == "2 ảnh"


def test_text_title_body_and_kind() -> None:
    decomposed = "Tin về ho\u0300a giải"  # NFD input becomes NFC
    items = [
        item_of(update(1, text=f"{decomposed}\nChi tiết...")),
        item_of(
            update(
                2,
                document={
                    "file_id": "d",
                    "file_unique_id": "d",
                    "file_name": "bai.docx",
                    "mime_type": "application/msword",
                    "file_size": 5,
                },
            )
        ),
    ]
    clean = [i for i in items if i]
    assert title_of(clean) == "Tin về hòa giải"
    assert body_of(clean) == "Tin về hòa giải\nChi tiết..."
    assert guess_kind(clean) == SubmissionKind.NEWS
    assert summary_items(clean) == "1 đoạn văn bản, 1 tệp"
    assert (
        guess_kind([i for i in [item_of(update(3, text="x" * 3000))] if i])
        == SubmissionKind.ARTICLE
    )


def test_replied_message_id_and_unsupported_content() -> None:
    # the replied message is known by its id (routed through the outbox), never its wording
    reply = {"message_id": 9, "text": "Ban biên tập đề nghị chỉnh sửa bài 2026-11-0012 «Tin»."}
    item = item_of(update(5, text="Bản sửa", reply_to_message=reply))
    assert item is not None and item.reply_to == 9
    assert not is_supported({"sticker": {"file_id": "s"}})
    assert not is_supported({"voice": {"file_id": "v"}})
    assert item_of(update(6, voice={"file_id": "v"})) is None
    video = item_of(update(7, video={"file_id": "v", "file_size": 99}))
    assert video is not None and video.media == "video" and video.file_name == "video-7.mp4"
    assert guess_kind([video]) == SubmissionKind.VIDEO


def test_an_edit_replaces_its_message_in_place_and_the_latest_wins() -> None:
    def sent(update_id: int, message_id: int, text: str, *, kind: str = "message") -> Any:
        message = {"message_id": message_id, "chat": {"id": 7}, "text": text}
        return {"update_id": update_id, kind: message}

    raws = [
        sent(1, 10, "Tiêu đề cũ"),
        sent(2, 11, "Đoạn hai"),
        {"update_id": 3, "callback_query": {"data": "dr:rev:5"}},  # a binding row
        sent(4, 10, "Tiêu đề mới", kind="edited_message"),
        sent(5, 10, "Tiêu đề mới nhất", kind="edited_message"),
    ]
    items = draft_items(raws)
    assert [i.text for i in items] == ["Tiêu đề mới nhất", "Đoạn hai"]
    assert title_of(items) == "Tiêu đề mới nhất"
    assert message_key(raws[3]) == message_key(raws[0]) == (7, 10)
    assert message_key({"update_id": 9, "callback_query": {}}) is None
