"""The leadership mail's small picture: the OA's followers month by month, as a PNG.

Drawn with Pillow, which the project already uses (QR codes, image conversion): it installs
from wheels, needs no display server and adds no dependency; one bar chart does not need a
plotting library. Text uses DejaVu Sans (Vietnamese letters) when the system has it, else
Pillow's own font. Months without a reading get no bar (a gap, never a made-up zero).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from reports import texts

WIDTH, HEIGHT = 640, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 20, 20, 48, 40
BAR, LAST_BAR, AXIS, INK = (91, 155, 213), (46, 117, 182), (160, 160, 160), (33, 33, 33)
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> Font:
    for candidate in FONTS:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def followers_png(trend: Sequence[tuple[str, int | None]], *, title: str) -> bytes | None:
    """A bar per month ("07/2024", followers); None when no month has a reading."""
    values = [v for _, v in trend if v is not None]
    if not values:
        return None
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH // 2, 14), title, fill=INK, font=_font(17), anchor="mt")
    small = _font(11)
    top, bottom = MARGIN_TOP + 14, HEIGHT - MARGIN_BOTTOM
    low, high = min(values), max(values)
    # Bars start a little below the smallest month so that growth is visible, and the axis
    # says so by labelling the base value.
    base = max(0, low - max((high - low) // 2, 1))
    span = max(high - base, 1)
    slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / max(len(trend), 1)
    draw.line((MARGIN_LEFT, bottom, WIDTH - MARGIN_RIGHT, bottom), fill=AXIS)
    draw.text((MARGIN_LEFT, bottom + 22), texts.CHART_BASE.format(base=texts.fmt_count(base)),
              fill=AXIS, font=small)  # fmt: skip
    for index, (month, value) in enumerate(trend):
        x0 = MARGIN_LEFT + index * slot + slot * 0.15
        x1 = MARGIN_LEFT + (index + 1) * slot - slot * 0.15
        middle = (x0 + x1) / 2
        draw.text((middle, bottom + 4), month[:3] + month[-2:], fill=INK, font=small, anchor="mt")
        if value is None:
            continue
        y = bottom - (value - base) / span * (bottom - top)
        colour = LAST_BAR if index == len(trend) - 1 else BAR
        draw.rectangle((x0, y, x1, bottom - 1), fill=colour)
        draw.text((middle, y - 2), texts.fmt_count(value), fill=INK, font=small, anchor="mb")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
