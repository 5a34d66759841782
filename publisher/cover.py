"""A plain branded cover for articles that came without any image (Zalo requires a cover)."""

from __future__ import annotations

import io
import unicodedata

from PIL import Image, ImageDraw

from publisher.qr import caption_lines, load_font

SIZE = (1200, 630)
RED = (200, 16, 46)


def default_cover(oa_name: str, unit_name: str) -> bytes:
    """A 1200x630 PNG: the OA's name on a red band, the unit's name below."""
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 260), fill=RED)
    big, small = load_font(64), load_font(44)
    oa = unicodedata.normalize("NFC", oa_name)
    draw.text((SIZE[0] // 2, 130), oa, fill="white", font=big, anchor="mm")
    lines = caption_lines(unicodedata.normalize("NFC", unit_name), small, SIZE[0] - 160)[:3]
    for index, line in enumerate(lines):
        draw.text(
            (SIZE[0] // 2, 330 + index * 64), line, fill=(34, 34, 34), font=small, anchor="ma"
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
