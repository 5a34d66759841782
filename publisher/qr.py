"""The OA's follow QR code for posters and slides: PNG and SVG with the OA's name under it."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from PIL import Image, ImageDraw, ImageFont

from publisher import texts

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
)
BOX = 20  # pixels per module: prints sharply on an A4 poster
BORDER = 4  # the quiet zone the QR standard asks for


def qr_matrix(url: str, /) -> list[list[bool]]:
    """The QR modules (with quiet zone) at error correction level M."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER)
    code.add_data(url)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def load_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A bold font with Vietnamese glyphs (DejaVu), else Pillow's built-in one."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def caption_lines(
    caption: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int
) -> list[str]:
    """Words wrapped into lines no wider than `width` pixels."""
    lines: list[str] = []
    line = ""
    for word in caption.split():
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def render_png(url: str, name: str, /) -> bytes:
    """A PNG: the code, then the caption centred in up to three lines."""
    matrix = qr_matrix(url)
    side = len(matrix) * BOX
    font = load_font(max(24, side // 18))
    caption = unicodedata.normalize("NFC", texts.QR_CAPTION.format(name=name))
    lines = caption_lines(caption, font, side - 2 * BORDER * BOX // 2)[:3]
    line_height = int(font.size * 1.35) if isinstance(font, ImageFont.FreeTypeFont) else 30
    image = Image.new("RGB", (side, side + line_height * len(lines) + BOX * 2), "white")
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle(
                    (x * BOX, y * BOX, (x + 1) * BOX - 1, (y + 1) * BOX - 1), fill="black"
                )
    for index, line in enumerate(lines):
        draw.text(
            (side // 2, side + index * line_height), line, fill="black", font=font, anchor="ma"
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_svg(url: str, name: str, /) -> str:
    """An SVG: one path for the dark modules and a text element per caption line."""
    matrix = qr_matrix(url)
    size = len(matrix)
    path = "".join(
        f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    caption = unicodedata.normalize("NFC", texts.QR_CAPTION.format(name=name))
    font = 1.6
    height = size + 3 * font
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {height:g}" '
        f'width="{size * 10}" height="{height * 10:g}">'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/>'
        f'<text x="{size / 2:g}" y="{size + font:g}" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-weight="bold" font-size="{font:g}" text-anchor="middle">{escape(caption)}</text>'
        "</svg>\n"
    )


def write_qr(url: str, name: str, out_dir: Path, /) -> tuple[Path, Path]:
    """Write `zalo-oa-qr.png` and `zalo-oa-qr.svg` into `out_dir`; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png, svg = out_dir / "zalo-oa-qr.png", out_dir / "zalo-oa-qr.svg"
    png.write_bytes(render_png(url, name))
    svg.write_text(render_svg(url, name), encoding="utf-8")
    return png, svg


def write_qr_to(url: str, name: str, out: Path, /) -> list[Path]:
    """`out` ending in .png or .svg: that one file; anything else is a folder getting both."""
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        return list(write_qr(url, name, out))
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        out.write_bytes(render_png(url, name))
    else:
        out.write_text(render_svg(url, name), encoding="utf-8")
    return [out]
