"""Pure parts of review: callback_data scheme and card rendering."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from domain.kinds import SubmissionKind
from domain.states import SubmissionStatus
from intake.telegram import texts as officer_texts
from review import texts as review_texts
from review.cards import CardView, card_keyboard, card_text, excerpt, media_summary
from tgbot.callbacks import Action, ReviewPress, decode, encode

S = SubmissionStatus


def view(**changes: object) -> CardView:
    values: dict[str, object] = {
        "submission_id": 42,
        "code": "2026-11-0007",
        "version": 2,
        "revision": 1,
        "status": S.PENDING_REVIEW,
        "channel": "telegram",
        "kind": SubmissionKind.NEWS,
        "title": "Hội nghị chuyển đổi số",
        "summary": "",
        "text": "Nội dung " * 200,
        "unit_name": "Sở Y tế",
        "sender_name": "Nguyễn Thị Lan (Chuyên viên)",
        "received_at": datetime(2026, 11, 25, 2, 5, tzinfo=UTC),
        "media": ["image"] * 3 + ["video"],
    }
    values.update(changes)
    return CardView(**values)  # type: ignore[arg-type]


def test_callback_data_round_trips_and_stays_short() -> None:
    for action in Action:
        arg = 2_147_483_647 if action == Action.PICK_UNIT else 0
        data = encode(ReviewPress(action, 2_147_483_647, 999_999, arg))
        assert len(data.encode()) <= 64
        assert decode(data) == ReviewPress(action, 2_147_483_647, 999_999, arg)
    assert decode("rv:pu:5:3:9") == ReviewPress(Action.PICK_UNIT, 5, 3, 9)
    assert decode("rv:pu:5:3") is None and decode("rv:pu:5:3:0") is None
    assert encode(ReviewPress(Action.APPROVE, 5, 3)) == "rv:ap:5:3"


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "pub:retry:5",
        "rv:ap:5",
        "rv:zz:5:3",
        "rv:ap:x:3",
        "rv:ap:0:3",
        "rv:ap:5:3:9",
        # forged: numbers too large for the columns, other digits, signs, spaces, underscores
        "rv:rj:99999999999999999999:1",
        "rv:rj:1:99999999999999999999",
        "rv:ap:2147483648:1",
        "rv:ap:٣:1",
        "rv:ap:+5:1",
        "rv:ap: 5:1",
        "rv:ap:1_0:1",
        "rv:ap:-1:1",
    ],
)
def test_foreign_or_broken_callback_data_is_no_review_press(data: str | None) -> None:
    assert not isinstance(decode(data), ReviewPress)


def test_pending_card_shows_everything_and_its_buttons() -> None:
    v = view()
    text = card_text(v)
    assert "2026-11-0007" in text and "Sở Y tế" in text and "Nguyễn Thị Lan" in text
    assert "Loại: Tin" in text and "3 ảnh, 1 video" in text
    assert "Tiếp nhận: 09:05 ngày 25/11/2026" in text  # Asia/Ho_Chi_Minh
    assert "Trạng thái: Chờ duyệt" in text and len(text) < 4096
    rows = card_keyboard(v)
    assert [len(r) for r in rows] == [3, 3, 2, 2]
    assert rows[2] == [("📝 Sửa nội dung", "rv:eb:42:2"), ("🖼 Chọn ảnh bìa", "rv:cv:42:2")]
    assert rows[3] == [("🕒 Hẹn giờ đăng", "rv:pt:42:2"), ("👁 Xem trước bài Zalo", "rv:pv:42:2")]
    assert rows[0][0] == ("✅ Duyệt", "rv:ap:42:2")
    kinds = card_keyboard(v, kind_menu=True)
    assert kinds[-1] == [("← Quay lại", "rv:bk:42:2")] and len(kinds[0] + kinds[1]) == 6


def test_decided_card_shows_who_when_why_and_no_buttons() -> None:
    v = view(
        status=S.REJECTED,
        version=3,
        decided_by="Trần Văn An",
        decided_at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
        reason="Trùng bài",
    )
    text = card_text(v)
    assert "❌ Trần Văn An đã từ chối lúc 10:00 ngày 25/11/2026" in text
    assert "Lý do: Trùng bài" in text
    assert card_keyboard(v) == []


@pytest.mark.parametrize(
    ("status", "now"),
    [
        (S.APPROVED, None),
        (S.SCHEDULED, "Đã hẹn giờ đăng"),
        (S.PUBLISHING, "Đang đăng"),
        (S.PUBLISHED, "Đã đăng"),
        (S.PUBLISH_FAILED, "Đăng không thành công"),
    ],
)
def test_card_keeps_who_approved_once_the_item_moves_on(
    status: SubmissionStatus, now: str | None
) -> None:
    """docs/telegram.md: the approval line stays while the item is scheduled and published."""
    v = view(
        status=status,
        decided_by="Trần Văn An",
        decided_at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
    )
    lines = card_text(v).splitlines()
    assert "✅ Trần Văn An đã duyệt lúc 10:00 ngày 25/11/2026" in lines
    if now is not None:
        assert lines[-1] == f"Trạng thái: {now}"
    assert card_keyboard(v) == []


def test_excerpt_and_media_summary() -> None:
    assert excerpt("một  hai\nba") == "một hai ba"
    cut = excerpt("chữ " * 500, 50)
    assert cut.endswith("…") and len(cut) <= 51
    assert media_summary(["document", "image"]) == "1 ảnh, 1 tệp"


def test_user_facing_texts_are_nfc() -> None:
    for module in (officer_texts, review_texts):
        for name, value in vars(module).items():
            items = value.values() if isinstance(value, dict) else [value]
            for item in items:
                if isinstance(item, str):
                    assert unicodedata.is_normalized("NFC", item), name


def test_quarantined_card_offers_unit_assignment_or_dismissal_only() -> None:
    v = view(status=S.QUARANTINED)
    assert card_keyboard(v) == [
        [("🏷 Xác định đơn vị gửi", "rv:au:42:2")],
        [("🗑 Loại bỏ (không phải tin, bài)", "rv:dm:42:2")],
    ]
    assert "Người gửi chưa đăng ký" in card_text(v)


def test_warnings_read_as_vietnamese_sentences_on_the_card() -> None:
    text = card_text(view(warnings=["automated_message", "text_from_docx: bài.docx"]))
    assert "⚠️ Thư tự động" in text and "automated_message" not in text
    assert "⚠️ Nội dung tin, bài lấy từ tệp Word đính kèm: bài.docx" in text
