"""Article composition: limits, derived summary, layout, credit, NFC."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.article import (
    ArticleSource,
    ImageRef,
    VideoRef,
    compose_article,
    cut,
    derive_summary,
    preview_text,
)

UNIT = "Ủy ban nhân dân huyện Kiến Xương, tỉnh Thái Bình (Văn phòng HĐND và UBND)"


def source(**overrides: object) -> ArticleSource:
    values: dict[str, object] = {
        "title": "Hội nghị triển khai nhiệm vụ năm 2026",
        "body": "Sáng 5/1, UBND huyện tổ chức hội nghị.\n\nĐoạn hai.\nvẫn đoạn hai.\n\nĐoạn ba.",
        "unit_name": UNIT,
        "cover_url": "https://media.example.vn/c.jpg",
    }
    values.update(overrides)
    return ArticleSource(**values)  # type: ignore[arg-type]


def test_limits_are_respected() -> None:
    article = compose_article(source(title="Tiêu đề rất dài " * 20, summary="Tóm tắt " * 60))
    assert len(article["title"]) <= 150
    assert article["title"].endswith("…")
    assert len(article["description"]) <= 300
    assert len(article["author"]) <= 50
    assert article["author"].startswith("Ủy ban nhân dân huyện Kiến Xương")


def test_summary_is_derived_from_first_paragraph_when_not_set() -> None:
    article = compose_article(source())
    assert article["description"] == "Sáng 5/1, UBND huyện tổ chức hội nghị."


def test_long_first_paragraph_is_cut_at_a_sentence() -> None:
    first = "Câu thứ nhất khá dài về hội nghị. " * 12
    summary = derive_summary(first + "\n\nĐoạn hai.")
    assert len(summary) <= 300
    assert summary.endswith(".")


def test_body_layout_images_after_paragraphs_then_video_then_credit() -> None:
    article = compose_article(
        source(
            images=[ImageRef("https://m/1.jpg", "Toàn cảnh"), ImageRef("https://m/2.jpg")],
            videos=[
                VideoRef(video_id="v1", thumb="https://m/t.jpg"),
                VideoRef(url="https://m/big.mp4", name="phóng sự"),
            ],
        ),
        status="show",
    )
    kinds = [item["type"] for item in article["body"]]
    assert kinds == ["text", "image", "text", "image", "text", "video", "text", "text"]
    assert article["body"][1] == {
        "type": "image",
        "url": "https://m/1.jpg",
        "caption": "Toàn cảnh",
    }
    assert "caption" not in article["body"][3]
    assert article["body"][2]["content"] == "Đoạn hai. vẫn đoạn hai."
    assert article["body"][-2]["content"] == "Xem video tại: https://m/big.mp4"  # no file name
    assert article["body"][-1]["content"] == f"Nguồn: {UNIT}"
    assert article["status"] == "show"
    assert article["cover"] == {
        "cover_type": "photo",
        "photo_url": "https://media.example.vn/c.jpg",
        "status": "show",
    }


def test_status_hide_by_default_and_text_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hòa bình\u0007 và  phát triển")
    article = compose_article(source(title=decomposed))
    assert article["status"] == "hide"
    assert article["title"] == "Hòa bình và phát triển"
    assert unicodedata.is_normalized("NFC", article["title"])


def test_cut_prefers_word_boundary() -> None:
    assert cut("một hai ba bốn", 9) == "một hai…"
    assert cut("ngắn", 10) == "ngắn"


def test_preview_text_lists_everything() -> None:
    text = preview_text(compose_article(source(images=[ImageRef("https://m/1.jpg", "Ảnh")])))
    assert text.startswith("📰 Hội nghị triển khai nhiệm vụ năm 2026")
    assert "[Ảnh] Ảnh" in text
    assert text.endswith(f"Nguồn: {UNIT}")


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(max_size=400),
    body=st.text(max_size=1500),
    unit=st.text(max_size=120),
    summary=st.text(max_size=600),
)
def test_any_input_respects_the_limits(title: str, body: str, unit: str, summary: str) -> None:
    article = compose_article(
        source(title=title or "x", body=body, unit_name=unit, summary=summary)
    )
    assert len(article["title"]) <= 150
    assert len(article["description"]) <= 300
    assert len(article["author"]) <= 50
    assert article["body"] and article["body"][-1]["type"] == "text"
    for value in (article["title"], article["description"], article["author"]):
        assert unicodedata.is_normalized("NFC", value)
