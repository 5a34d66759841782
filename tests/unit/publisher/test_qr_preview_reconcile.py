"""The follow QR code, the dry-run preview, and matching a possibly created article."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from PIL import Image

from publisher.preview import render_html
from publisher.qr import BOX, qr_matrix, render_png, render_svg
from publisher.reconcile import matches
from publisher.zalo.client import ArticleSummary

URL = "https://zalo.me/4318129436271947313"
NAME = "Công dân số Thái Bình"


def test_png_modules_match_the_qr_matrix_and_the_name_is_under_it() -> None:
    matrix = qr_matrix(URL)
    with Image.open(io.BytesIO(render_png(URL, NAME))) as image:
        side = len(matrix) * BOX
        assert image.width == side and image.height > side
        grey = image.convert("L")
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                pixel = grey.getpixel((x * BOX + BOX // 2, y * BOX + BOX // 2))
                assert (pixel < 128) == dark
        caption = grey.crop((0, side, image.width, image.height))
        assert caption.getextrema()[0] < 128  # text was drawn below the code


def test_svg_is_well_formed_with_the_caption() -> None:
    svg = render_svg(URL, NAME)
    root = ET.fromstring(svg.encode("utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    text = root.find(f"{ns}text")
    assert text is not None and text.text == f"Quét mã để quan tâm {NAME}"
    path = root.find(f"{ns}path")
    assert path is not None
    dark = sum(sum(row) for row in qr_matrix(URL))
    assert path.attrib["d"].count("M") == dark


def test_preview_escapes_and_shows_everything() -> None:
    article = {
        "title": "Tiêu đề <b>",
        "author": "Sở Y tế",
        "description": "Tóm tắt",
        "cover": {"photo_url": "https://m/c.jpg"},
        "body": [
            {"type": "text", "content": "Đoạn & một"},
            {"type": "image", "url": "https://m/1.jpg", "caption": "Chú thích"},
        ],
    }
    html = render_html(article, oa_name=NAME, note="Chạy thử")
    assert "Tiêu đề &lt;b&gt;" in html and "Đoạn &amp; một" in html
    assert "<figcaption>Chú thích</figcaption>" in html and "Chạy thử" in html


def _item(title: str, thumb: str = "") -> ArticleSummary:
    return ArticleSummary(
        id="a1", title=title, status="show", create_date=1, link_view="", thumb=thumb
    )


def test_reconcile_matches_title_and_cover_or_rehosted_details() -> None:
    ours = {
        "title": "Hòa bình",
        "author": "Sở",
        "description": "Tóm tắt",
        "cover": {"photo_url": "https://m/c.jpg"},
    }
    decomposed = "Ho\u0300a bi\u0300nh"
    assert matches(ours, _item(decomposed, thumb="https://m/c.jpg"), {})
    rehosted = {
        "cover": {"photo_url": "https://zalo-cdn/x.jpg"},
        "description": "Tóm tắt",
        "author": "Sở",
    }
    assert matches(ours, _item("Hòa bình", thumb="https://zalo-cdn/x.jpg"), rehosted)
    assert not matches(ours, _item("Hòa bình"), {**rehosted, "description": "Khác"})
    assert not matches(ours, _item("Bài khác", thumb="https://m/c.jpg"), {})
