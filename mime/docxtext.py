"""Text of a .docx attachment, with legacy TCVN3/VNI runs converted by their font.

The package is read with zipfile and its two parts that matter (the main document and its
styles, found through the package relationships) are parsed with lxml, with the parser
settings python-docx uses (no entity resolution). Opening the file through python-docx
built its whole object model first and was a third of the time spent parsing a typical mail.

Fonts matter only to find legacy TCVN3/VNI text, and a style sheet is often hundreds of KB
(Word's latent styles): it is parsed only when its bytes name a legacy font, which a
lower-cased byte search answers in a tenth of the time of parsing it.

The main document is read as a stream (lxml's iterparse): each element is cleared once
read, so memory follows the text kept, not the XML. A 103 KB mail whose document.xml
inflated to 49 MB took 17.7 s and 1.23 GB when the part was parsed whole. Reading stops
at `DocxLimits` (text, paragraphs, XML elements; what was read is kept and `truncated`
says so); a style sheet larger than `max_styles_bytes` is not read (its fonts only
matter for legacy TCVN3/VNI text).
"""

from __future__ import annotations

import io
import posixpath
import re
import threading
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree

from domain.errors import NewsdeskError
from mime.legacy import convert, encoding_for_font

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _R, _T, _TC, _TR = W + "p", W + "r", W + "t", W + "tc", W + "tr"
_BODY, _RPR, _PPR, _RFONTS, _PSTYLE = W + "body", W + "rPr", W + "pPr", W + "rFonts", W + "pStyle"
_B, _NUMPR = W + "b", W + "numPr"
_BREAKS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n"}
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
OFFICE_DOCUMENT = "/officeDocument"
STYLES = "/styles"
_LEGACY_FONT = re.compile(rb"""=\s*["']\s*(?:\.vn|vni)""", re.IGNORECASE)
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class DocxLimits:
    """What one .docx may cost: with these, memory stays under ~100 MB and time ~1 s."""

    max_text_chars: int = 1_000_000
    max_paragraphs: int = 20_000
    max_elements: int = 300_000  # XML elements of the main document (a 100-page report: ~50,000)
    max_styles_bytes: int = 2 * 1024 * 1024  # Word's default style sheet is ~350 KB
    max_package_part_bytes: int = 1024 * 1024  # relationship parts


@dataclass(frozen=True)
class DocxText:
    """Extracted paragraphs and the legacy encoding found, if any."""

    text: str
    legacy_encoding: str | None
    truncated: bool = False  # a limit stopped the reading: the text is its beginning


class _LimitReached(NewsdeskError):
    """A limit of DocxLimits was reached: stop reading, keep the text read so far."""


def extract_docx_text(data: bytes, limits: DocxLimits = DocxLimits()) -> DocxText | None:
    """Paragraph text of a Word file, or None if it is not a readable .docx."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = _target(archive, "", OFFICE_DOCUMENT, limits) or "word/document.xml"
            styles_name = _target(archive, main, STYLES, limits)
            fonts = _STYLES.fonts(archive, styles_name, limits) if styles_name else None
            with archive.open(main) as stream:
                reader = _Reader(fonts or {None: None}, limits)
                if not reader.read(stream):
                    return None
    except Exception:  # any broken or foreign file is just "no text"
        return None
    text = "\n".join(reader.lines)
    legacy = sorted(reader.found)[0].removesuffix("h") if reader.found else None
    return DocxText(text=text, legacy_encoding=legacy, truncated=reader.truncated)


class _Reader:
    """The main document's text, read element by element (see the module's docstring).

    Paragraphs directly in the body are lines; a table row is a line of its cells joined
    by " | ", a cell's paragraphs joined by spaces; a paragraph inside another one (a text
    box) adds to it. Runs take their font from their own properties, else from the
    paragraph's style, else from the document default; legacy fonts are converted."""

    def __init__(self, fonts: Fonts, limits: DocxLimits) -> None:
        self.fonts = fonts
        self.limits = limits
        self.style_names: dict[str, str] = {}
        self.lines: list[str] = []
        self.found: set[str] = set()
        self.truncated = False
        self.chars = 0
        self.paragraph_count = 0
        self.blocks: list[DocxBlock] = []
        # (texts, [style id, list paragraph?, every run with text bold?])
        self.paragraphs: list[tuple[list[str], list[Any]]] = []
        self.runs: list[tuple[list[str], list[Any]]] = []  # (texts, [font, bold?])
        self.cells: list[list[str]] = []
        self.rows: list[list[str]] = []

    def read(self, stream: IO[bytes]) -> bool:
        """False if the part is not a Word document; stops early at a limit."""
        events = etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            remove_blank_text=True,
            huge_tree=False,
        )
        body = False
        try:
            for count, (event, element) in enumerate(events):
                if count == 0 and element.tag != W + "document":
                    return False
                if count >= 2 * self.limits.max_elements:
                    raise _LimitReached
                if event == "start":
                    body = body or element.tag == _BODY
                    self._start(element.tag)
                else:
                    self._end(element)
        except _LimitReached:
            self.truncated = True
            # what was read of the paragraphs still open is kept
            self._line(" ".join("".join(texts) for texts, _ in self.paragraphs))
            return True
        return body

    def _start(self, tag: str) -> None:
        if tag == _P:
            self.paragraphs.append(([], [None, False, None]))
        elif tag == _R:
            self.runs.append(([], [None, False]))
        elif tag == _TC:
            self.cells.append([])
        elif tag == _TR:
            self.rows.append([])

    def _end(self, element: Any) -> None:
        tag = element.tag
        parent = element.getparent()
        parent_tag = parent.tag if parent is not None else None
        if tag == _T and parent_tag == _R and self.runs:
            text = str(element.text or "")
            self.chars += len(text)
            if self.chars > self.limits.max_text_chars:
                raise _LimitReached
            self.runs[-1][0].append(text)
        elif tag in _BREAKS and parent_tag == _R and self.runs:
            self.runs[-1][0].append(_BREAKS[tag])
        elif tag == _RFONTS and parent_tag == _RPR and self.runs:
            if parent.getparent() is not None and parent.getparent().tag == _R:
                self.runs[-1][1][0] = _font(element)
        elif tag == _B and parent_tag == _RPR and self.runs:
            if parent.getparent() is not None and parent.getparent().tag == _R:
                self.runs[-1][1][1] = element.get(W + "val") not in ("0", "false")
        elif tag == _PSTYLE and parent_tag == _PPR and self.paragraphs:
            self.paragraphs[-1][1][0] = element.get(W + "val")
        elif tag == _NUMPR and parent_tag == _PPR and self.paragraphs:
            self.paragraphs[-1][1][1] = True
        elif tag == _R and self.runs:
            self._run(*self.runs.pop())
        elif tag == _P and self.paragraphs:
            texts, meta = self.paragraphs.pop()
            self._paragraph("".join(texts), parent_tag, meta)
        elif tag == _TC and self.cells:
            cell = " ".join(self.cells.pop()).strip()
            if self.rows:
                self.rows[-1].append(cell)
        elif tag == _TR and self.rows:
            row = " | ".join(self.rows.pop())
            self._line(row)
            if row.strip():
                self.blocks.append(DocxBlock("text", row.strip()))
        element.clear(keep_tail=True)  # read: free it and the siblings before it
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]

    def _run(self, texts: list[str], font: list[Any]) -> None:
        text = "".join(texts)
        if not text or not self.paragraphs:
            return
        meta = self.paragraphs[-1][1]
        if text.strip():
            meta[2] = font[1] and meta[2] is not False
        style = meta[0]
        style_font = self.fonts.get(style, self.fonts[None]) if style else self.fonts[None]
        encoding = encoding_for_font(font[0] or style_font or self.fonts[None])
        if encoding:
            self.found.add(encoding)
            text = convert(text, encoding)
        self.paragraphs[-1][0].append(text)

    def _paragraph(self, text: str, parent_tag: str | None, meta: list[Any]) -> None:
        self.paragraph_count += 1
        if self.paragraph_count > self.limits.max_paragraphs:
            raise _LimitReached
        if self.paragraphs:  # a text box inside a paragraph
            self.paragraphs[-1][0].append(text)
        elif self.cells:
            self.cells[-1].append(text)
        elif parent_tag == _BODY:
            self._line(text)
            if text.strip():
                self.blocks.append(_classify(text.strip(), meta, self.style_names))

    def _line(self, text: str) -> None:
        if text.strip():
            self.lines.append(text.strip())


def _font(rfonts: Any) -> str | None:
    for key in ("ascii", "hAnsi", "cs"):
        if rfonts.get(W + key):
            return str(rfonts.get(W + key))
    return None


def _read(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    if archive.getinfo(name).file_size > limit:
        raise ValueError(f"{name} is too large")
    return archive.read(name)


Fonts = dict[str | None, str | None]


class _StyleSheets:
    """What a style sheet says about legacy fonts (_style_fonts(), or None when it names
    none), remembered by the part's CRC-32 and sizes in the ZIP directory.

    Documents made from one template carry the same style sheet (Word's default one is
    hundreds of KB unpacked, mostly latent styles): inflating and scanning it for font names
    would be paid again for every document of a unit that always writes from its own
    template. The directory entry is read anyway; a CRC-32 with both sizes
    equal by chance is out of reach, and one forged on purpose can only change how the
    forger's own legacy-font text is converted. Bounded; thread-safe.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._known: dict[tuple[int, int, int], Fonts | None] = {}
        self._lock = threading.Lock()

    def fonts(self, archive: zipfile.ZipFile, name: str, limits: DocxLimits) -> Fonts | None:
        info = archive.getinfo(name)
        if info.file_size > limits.max_styles_bytes:
            return None  # a style sheet this large is not Word's: its fonts are not read
        key = (info.CRC, info.file_size, info.compress_size)
        with self._lock:
            if key in self._known:
                return self._known[key]
        xml = _read(archive, name, limits.max_styles_bytes)
        fonts = _style_fonts(etree.fromstring(xml, _PARSER)) if may_name_legacy_font(xml) else None
        with self._lock:
            if len(self._known) >= self._size:
                self._known.pop(next(iter(self._known)))  # the oldest
            self._known[key] = fonts
        return fonts


_STYLES = _StyleSheets()


def _xml(archive: zipfile.ZipFile, name: str, limit: int) -> Any:
    return etree.fromstring(_read(archive, name, limit), _PARSER)


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


def _target(archive: zipfile.ZipFile, source: str, kind: str, limits: DocxLimits) -> str | None:
    """The part a relationship of type ``*kind`` points to, from ``source`` ("" = package)."""
    folder, name = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.namelist():
        return None
    for rel in _xml(archive, rels, limits.max_package_part_bytes).iter(REL):
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


def extract_docx_blocks(data: bytes, limits: DocxLimits = DocxLimits()) -> list[DocxBlock] | None:
    """The paragraphs of a Word file with their structure (headings from the heading and
    title styles or a short paragraph in bold; list paragraphs), or None if unreadable.
    Tables give one `text` block per row, cells separated by " | ". Read as a stream under
    the same limits as extract_docx_text (a limit keeps the blocks read so far)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = _target(archive, "", OFFICE_DOCUMENT, limits) or "word/document.xml"
            styles_name = _target(archive, main, STYLES, limits)
            fonts = _STYLES.fonts(archive, styles_name, limits) if styles_name else None
            reader = _Reader(fonts or {None: None}, limits)
            if styles_name:
                reader.style_names = _style_names(archive, styles_name, limits)
            with archive.open(main) as stream:
                if not reader.read(stream):
                    return None
    except Exception:  # any broken or foreign file is just "no text"
        return None
    return reader.blocks


def _style_names(archive: zipfile.ZipFile, name: str, limits: DocxLimits) -> dict[str, str]:
    """Style id -> style name; none from a style sheet over the limit (read without it)."""
    try:
        styles = _xml(archive, name, limits.max_styles_bytes)
    except (ValueError, KeyError, etree.XMLSyntaxError):
        return {}
    names: dict[str, str] = {}
    for style in styles.iter(W + "style"):
        label = style.find(W + "name")
        if label is not None:
            names[str(style.get(W + "styleId"))] = str(label.get(W + "val", ""))
    return names


def _classify(text: str, meta: list[Any], names: dict[str, str]) -> DocxBlock:
    """`meta`: the paragraph's style id, whether it is a list paragraph, whether every run
    with text is bold."""
    ident = str(meta[0] or "")
    name = names.get(ident, ident)
    for candidate in (name, ident):
        heading = _HEADING_NAME.match(candidate.replace("Heading", "heading "))
        if heading:
            return DocxBlock("heading", text, int(heading[1]))
        if _TITLE_NAME.match(candidate):
            return DocxBlock("heading", text, 0)
    if meta[1] or _LIST_NAME.match(name):
        return DocxBlock("item", text)
    if len(text) <= _SHORT_BOLD and meta[2] and not text.endswith((".", ":")):
        return DocxBlock("heading", text, 9)
    return DocxBlock("text", text)
