"""Text of a .docx attachment, with legacy TCVN3/VNI runs converted by their font.

python-docx opens the package; the paragraphs are then read straight from its XML tree,
which is several times faster than its run/font objects for the same information.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from intake.email.legacy import convert, encoding_for_font

_MAX_UNCOMPRESSED = 50 * 1024 * 1024  # a zip bomb guard for document.xml
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class DocxText:
    """Extracted paragraphs and the legacy encoding found, if any."""

    text: str
    legacy_encoding: str | None


def extract_docx_text(data: bytes) -> DocxText | None:
    """Paragraph text of a Word file, or None if it is not a readable .docx."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.getinfo("word/document.xml").file_size > _MAX_UNCOMPRESSED:
                return None
        import docx  # python-docx; imported late because it is slow to load

        document = docx.Document(io.BytesIO(data))
        fonts = _style_fonts(document.styles.element)
        body = document.element.body
    except Exception:  # any broken or foreign file is just "no text"
        return None
    found: set[str] = set()
    lines: list[str] = []
    for block in body.iterchildren():
        if block.tag == W + "p":
            lines.append(_paragraph(block, fonts, found))
        elif block.tag == W + "tbl":
            for row in block.iter(W + "tr"):
                cells = [
                    " ".join(_paragraph(p, fonts, found) for p in cell.iter(W + "p")).strip()
                    for cell in row.iter(W + "tc")
                ]
                lines.append(" | ".join(cells))
    text = "\n".join(line.strip() for line in lines if line.strip())
    legacy = sorted(found)[0].removesuffix("h") if found else None
    return DocxText(text=text, legacy_encoding=legacy)


def _run_font(element: Any) -> str | None:
    fonts = element.find(f"{W}rPr/{W}rFonts") if element is not None else None
    if fonts is None:
        return None
    for key in ("ascii", "hAnsi", "cs"):
        if fonts.get(W + key):
            return str(fonts.get(W + key))
    return None


def _style_fonts(styles: Any) -> dict[str | None, str | None]:
    """Font per paragraph style id (following basedOn), and the document default (None)."""
    default = _run_font(styles.find(f"{W}docDefaults/{W}rPrDefault"))
    own: dict[str, str | None] = {}
    parent: dict[str, str | None] = {}
    for style in styles.iter(W + "style"):
        ident = style.get(W + "styleId")
        own[ident] = _run_font(style)
        based = style.find(W + "basedOn")
        parent[ident] = based.get(W + "val") if based is not None else None
    resolved: dict[str | None, str | None] = {None: default}
    for ident in own:
        current: str | None = ident
        for _ in range(20):  # basedOn chains are short; a loop must not hang us
            if current is None or own.get(current):
                break
            current = parent.get(current)
        resolved[ident] = own.get(current) if current else default
    return resolved


def _paragraph(paragraph: Any, fonts: dict[str | None, str | None], found: set[str]) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    style_font = fonts.get(style.get(W + "val") if style is not None else None, fonts[None])
    parts: list[str] = []
    for run in paragraph.iter(W + "r"):
        text = "".join(_run_text(child) for child in run)
        encoding = encoding_for_font(_run_font(run) or style_font or fonts[None])
        if encoding and text:
            found.add(encoding)
            text = convert(text, encoding)
        parts.append(text)
    return "".join(parts)


def _run_text(child: Any) -> str:
    if child.tag == W + "t":
        return str(child.text or "")
    if child.tag == W + "tab":
        return "\t"
    if child.tag in (W + "br", W + "cr"):
        return "\n"
    return ""
