"""Text of a .docx attachment, with legacy TCVN3/VNI runs converted by their font.

The package is read with zipfile and its two parts that matter (the main document and its
styles, found through the package relationships) are parsed with lxml, with the parser
settings python-docx uses (no entity resolution). Opening the file through python-docx
built its whole object model first and was a third of the time spent parsing a typical mail.

Fonts matter only to find legacy TCVN3/VNI text, and a style sheet is often hundreds of KB
(Word's latent styles): it is parsed only when its bytes name a legacy font, which a
lower-cased byte search answers in a tenth of the time of parsing it.
"""

from __future__ import annotations

import io
import posixpath
import re
import threading
import zipfile
from dataclasses import dataclass
from typing import Any

from lxml import etree

from intake.email.legacy import convert, encoding_for_font

_MAX_UNCOMPRESSED = 50 * 1024 * 1024  # a zip bomb guard for the parts we read
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
OFFICE_DOCUMENT = "/officeDocument"
STYLES = "/styles"
_LEGACY_FONT = re.compile(rb"""=\s*["']\s*(?:\.vn|vni)""", re.IGNORECASE)
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class DocxText:
    """Extracted paragraphs and the legacy encoding found, if any."""

    text: str
    legacy_encoding: str | None


def extract_docx_text(data: bytes) -> DocxText | None:
    """Paragraph text of a Word file, or None if it is not a readable .docx."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = _target(archive, "", OFFICE_DOCUMENT) or "word/document.xml"
            document_xml = _read(archive, main)
            styles_name = _target(archive, main, STYLES)
            # None: no legacy font anywhere
            fonts = _STYLES.fonts(archive, styles_name) if styles_name else None
        document = etree.fromstring(document_xml, _PARSER)
        body = document.find(W + "body")
        if document.tag != W + "document" or body is None:
            return None
        if fonts is None and may_name_legacy_font(document_xml):
            fonts = {None: None}
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


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > _MAX_UNCOMPRESSED:
        raise ValueError(f"{name} is too large")
    return archive.read(name)


Fonts = dict[str | None, str | None]


class _StyleSheets:
    """What a style sheet says about legacy fonts (_style_fonts(), or None when it names
    none), remembered by the part's CRC-32 and sizes in the ZIP directory.

    Documents made from one template carry the same style sheet (Word's default one is
    ~350 KB unpacked, mostly latent styles): inflating it and scanning it for font names
    was ~0.4 ms per .docx, paid again for every document of a unit that always writes
    from its own template. The directory entry is read anyway; a CRC-32 with both sizes
    equal by chance is out of reach, and one forged on purpose can only change how the
    forger's own legacy-font text is converted. Bounded; thread-safe.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._known: dict[tuple[int, int, int], Fonts | None] = {}
        self._lock = threading.Lock()

    def fonts(self, archive: zipfile.ZipFile, name: str) -> Fonts | None:
        info = archive.getinfo(name)
        key = (info.CRC, info.file_size, info.compress_size)
        with self._lock:
            if key in self._known:
                return self._known[key]
        xml = _read(archive, name)
        fonts = _style_fonts(etree.fromstring(xml, _PARSER)) if may_name_legacy_font(xml) else None
        with self._lock:
            if len(self._known) >= self._size:
                self._known.pop(next(iter(self._known)))  # the oldest
            self._known[key] = fonts
        return fonts


_STYLES = _StyleSheets()


def _xml(archive: zipfile.ZipFile, name: str) -> Any:
    return etree.fromstring(_read(archive, name), _PARSER)


def may_name_legacy_font(xml: bytes) -> bool:
    """False only if these XML bytes cannot name a TCVN3 (".Vn...") or VNI ("VNI-...") font.

    Only `rFonts` elements name the fonts we read (`_run_font`), so only their tags are
    looked at; anything a byte search could miss (character references, a UTF-16 part)
    counts as "may".
    """
    if xml[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in xml[:64]:
        return True
    if b"&" in xml and b"&#" in xml:  # a one-byte search is memchr; "&#" alone is 10x slower
        return True
    position = xml.find(b"rFonts")
    while position >= 0:
        end = xml.find(b">", position)
        if _LEGACY_FONT.search(xml, position, len(xml) if end < 0 else end):
            return True
        position = xml.find(b"rFonts", position + 6)
    return False


def _target(archive: zipfile.ZipFile, source: str, kind: str) -> str | None:
    """The part a relationship of type ``*kind`` points to, from ``source`` ("" = package)."""
    folder, name = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.namelist():
        return None
    for rel in _xml(archive, rels).iter(REL):
        if str(rel.get("Type", "")).endswith(kind) and rel.get("TargetMode") != "External":
            target = str(rel.get("Target", ""))
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            return posixpath.normpath(path)
    return None


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


def _paragraph(paragraph: Any, fonts: dict[str | None, str | None] | None, found: set[str]) -> str:
    if fonts is None:  # no legacy font named anywhere: the text is the text
        return "".join(_run_text(child) for run in paragraph.iter(W + "r") for child in run)
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


@dataclass(frozen=True)
class DocxBlock:
    """One paragraph with what its style says: `heading` (level 0 = title), `item` (a
    numbered or bulleted list paragraph) or `text`."""

    kind: str
    text: str
    level: int = 0


_HEADING_NAME = re.compile(r"^(?:heading|đầu\s*đề|tiêu\s*đề)\s*(\d)$", re.IGNORECASE)
_TITLE_NAME = re.compile(r"^(?:title|tiêu\s*đề)$", re.IGNORECASE)
_LIST_NAME = re.compile(r"^list", re.IGNORECASE)
_SHORT_BOLD = 150


def extract_docx_blocks(data: bytes) -> list[DocxBlock] | None:
    """The paragraphs of a Word file with their structure (headings from the heading and
    title styles or a short paragraph in bold; list paragraphs), or None if unreadable.
    Tables give one `text` block per row, cells separated by " | "."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = _target(archive, "", OFFICE_DOCUMENT) or "word/document.xml"
            document_xml = _read(archive, main)
            styles_name = _target(archive, main, STYLES)
            fonts = _STYLES.fonts(archive, styles_name) if styles_name else None
            names = _style_names(_xml(archive, styles_name)) if styles_name else {}
        document = etree.fromstring(document_xml, _PARSER)
        body = document.find(W + "body")
        if document.tag != W + "document" or body is None:
            return None
        if fonts is None and may_name_legacy_font(document_xml):
            fonts = {None: None}
    except Exception:  # any broken or foreign file is just "no text"
        return None
    found: set[str] = set()
    blocks: list[DocxBlock] = []
    for block in body.iterchildren():
        if block.tag == W + "p":
            text = _paragraph(block, fonts, found).strip()
            if text:
                blocks.append(_classify(block, text, names))
        elif block.tag == W + "tbl":
            for row in block.iter(W + "tr"):
                cells = [
                    " ".join(_paragraph(p, fonts, found) for p in cell.iter(W + "p")).strip()
                    for cell in row.iter(W + "tc")
                ]
                if any(cells):
                    blocks.append(DocxBlock("text", " | ".join(cells)))
    return blocks


def _style_names(styles: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for style in styles.iter(W + "style"):
        name = style.find(W + "name")
        if name is not None:
            names[str(style.get(W + "styleId"))] = str(name.get(W + "val", ""))
    return names


def _classify(paragraph: Any, text: str, names: dict[str, str]) -> DocxBlock:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    ident = str(style.get(W + "val")) if style is not None else ""
    name = names.get(ident, ident)
    for candidate in (name, ident):
        heading = _HEADING_NAME.match(candidate.replace("Heading", "heading "))
        if heading:
            return DocxBlock("heading", text, int(heading[1]))
        if _TITLE_NAME.match(candidate):
            return DocxBlock("heading", text, 0)
    if paragraph.find(f"{W}pPr/{W}numPr") is not None or _LIST_NAME.match(name):
        return DocxBlock("item", text)
    if len(text) <= _SHORT_BOLD and _all_bold(paragraph) and not text.endswith((".", ":")):
        return DocxBlock("heading", text, 9)
    return DocxBlock("text", text)


def _all_bold(paragraph: Any) -> bool:
    runs = [r for r in paragraph.iter(W + "r") if "".join(r.itertext()).strip()]
    if not runs:
        return False
    for run in runs:
        bold = run.find(f"{W}rPr/{W}b")
        if bold is None or bold.get(W + "val") in ("0", "false"):
            return False
    return True
