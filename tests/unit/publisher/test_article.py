"""The Zalo `article/create` body of a composed draft: limits, layout, credit, NFC."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from compose import Draft, Item
from publisher.article import ImageRef, VideoRef, cut, preview_text, zalo_article

UNIT = "Ủy ban nhân dân huyện Kiến Xương, tỉnh Thái Bình (Văn phòng HĐND và UBND)"
COVER = "https://media.example.vn/c.jpg"


def draft(**overrides: object) -> Draft:
    values: dict[str, object] = {
        "title": "Hội nghị triển khai nhiệm vụ năm 2026",
        "author": UNIT,
        "description": "Sáng 5/1, UBND huyện tổ chức hội nghị.",
        "body": [
            Item("text", "Sáng 5/1, UBND huyện tổ chức hội nghị."),
            Item("image", name="1.jpg", caption="Toàn cảnh"),
            Item("heading", "Kết quả"),
            Item("text", "Đoạn hai."),
            Item("image", name="2.jpg"),
            Item("image", name="hong.jpg"),
        ],
        "cover": "bia.jpg",
        "letter": "Kính gửi Ban Biên tập,",
        "warnings": [],
    }
    values.update(overrides)
    return Draft(**values)  # type: ignore[arg-type]


IMAGES = {"1.jpg": ImageRef("https://m/1.jpg"), "2.jpg": ImageRef("https://m/2.jpg")}


def test_items_in_order_heading_as_text_then_video_then_credit() -> None:
    article = zalo_article(
        draft(),
        images=IMAGES,
        cover_url=COVER,
        videos=[
            VideoRef(video_id="v1", thumb="https://m/t.jpg"),
            VideoRef(url="https://m/big.mp4", name="phóng sự"),
        ],
        status="show",
    )
    assert article["body"] == [
        {"type": "text", "content": "Sáng 5/1, UBND huyện tổ chức hội nghị."},
        {"type": "image", "url": "https://m/1.jpg", "caption": "Toàn cảnh"},
        {"type": "text", "content": "Kết quả"},
        {"type": "text", "content": "Đoạn hai."},
        {"type": "image", "url": "https://m/2.jpg"},  # hong.jpg could not be prepared
        {"type": "video", "video_id": "v1", "thumb": "https://m/t.jpg"},
        {"type": "text", "content": "Xem video tại: https://m/big.mp4"},  # no file name
        {"type": "text", "content": f"Nguồn: {UNIT}"},
    ]
    assert article["status"] == "show"
    assert article["cover"] == {"cover_type": "photo", "photo_url": COVER, "status": "show"}
    assert article["description"] == "Sáng 5/1, UBND huyện tổ chức hội nghị."
    assert "Kính gửi" not in str(article)


def test_limits_are_respected_and_text_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hòa bình\u0007 và  phát triển " * 20)
    article = zalo_article(
        draft(title=decomposed, description="Tóm tắt " * 60), images={}, cover_url=COVER
    )
    assert len(article["title"]) <= 150 and article["title"].endswith("…")
    assert article["title"].startswith("Hòa bình và phát triển")
    assert unicodedata.is_normalized("NFC", article["title"])
    assert len(article["description"]) <= 300
    assert len(article["author"]) <= 50
    assert article["status"] == "hide"


def test_cut_prefers_word_boundary() -> None:
    assert cut("một hai ba bốn", 9) == "một hai…"
    assert cut("ngắn", 10) == "ngắn"


def test_preview_text_lists_every_item_with_image_names() -> None:
    images = {name: ImageRef(name) for name in ("1.jpg", "2.jpg", "hong.jpg")}
    text = preview_text(zalo_article(draft(), images=images, cover_url="bia.jpg"))
    assert text.splitlines()[:3] == [
        "📰 Hội nghị triển khai nhiệm vụ năm 2026",
        f"✍️ {cut(UNIT, 50)}",
        "🖼 Ảnh bìa: bia.jpg",
    ]
    assert "🖼 [Ảnh 1.jpg] Toàn cảnh" in text
    assert "🖼 [Ảnh 2.jpg]" in text
    assert text.endswith(f"Nguồn: {UNIT}")  # the credit is not cut


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(max_size=400),
    texts=st.lists(st.text(max_size=300), max_size=6),
    unit=st.text(max_size=120),
    summary=st.text(max_size=600),
)
def test_any_draft_respects_the_limits(
    title: str, texts: list[str], unit: str, summary: str
) -> None:
    body = [Item("text", t) for t in texts]
    article = zalo_article(
        draft(title=title, body=body, author=unit, description=summary),
        images={},
        cover_url=COVER,
        fallback_title="2026-12-0001",
    )
    assert 0 < len(article["title"]) <= 150  # the code when the title is blank
    assert len(article["description"]) <= 300
    assert len(article["author"]) <= 50
    for value in (article["title"], article["description"], article["author"]):
        assert unicodedata.is_normalized("NFC", value)
