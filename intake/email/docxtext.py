"""Text of a .docx attachment, with legacy TCVN3/VNI runs converted by their font."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from intake.email.legacy import convert, encoding_for_font

_MAX_UNCOMPRESSED = 50 * 1024 * 1024  # a zip bomb guard for document.xml


@dataclass(frozen=True)
class DocxText:
    """Extracted paragraphs and the legacy encoding found, if any."""

    text: str
    legacy_encoding: str | None


def extract_docx_text(data: bytes) -> DocxText | None:
    """Paragraph text of a Word file, or None if it is not a readable .docx."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > _MAX_UNCOMPRESSED:
                return None
        import docx  # python-docx; imported late because it is slow to load

        document = docx.Document(io.BytesIO(data))
    except Exception:  # any broken or foreign file is just "no text"
        return None
    found: set[str] = set()
    paragraphs = [_paragraph_text(p, found) for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = [" ".join(_paragraph_text(p, found) for p in c.paragraphs) for c in row.cells]
            paragraphs.append(" | ".join(c.strip() for c in cells))
    text = "\n".join(p.strip() for p in paragraphs if p.strip())
    legacy = sorted(found)[0].removesuffix("h") if found else None
    return DocxText(text=text, legacy_encoding=legacy)


def _paragraph_text(paragraph: object, found: set[str]) -> str:
    style_font = _style_font(paragraph)
    parts: list[str] = []
    for run in paragraph.runs:  # type: ignore[attr-defined]
        font = run.font.name or _east_asia_font(run) or style_font
        encoding = encoding_for_font(font)
        if encoding:
            found.add(encoding)
            parts.append(convert(run.text, encoding))
        else:
            parts.append(run.text)
    return "".join(parts)


def _style_font(paragraph: object) -> str | None:
    style = getattr(paragraph, "style", None)
    while style is not None:
        name = style.font.name
        if name:
            return str(name)
        style = style.base_style
    return None


def _east_asia_font(run: object) -> str | None:
    rpr = run._element.rPr  # type: ignore[attr-defined]
    fonts = rpr.rFonts if rpr is not None else None
    if fonts is None:
        return None
    for key in ("w:hAnsi", "w:cs"):
        value = fonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + key.split(":")[1]
        )
        if value:
            return str(value)
    return None
