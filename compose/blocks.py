"""Text to body items: paragraphs, headings and list items (pure).

A body is also written as text, for the CLI and for editors' edits (`body_text()` and
`parse_body()` are inverse): blocks separated by blank lines; a heading starts with "# ";
an image is a line "[Ảnh: tên-tệp.jpg]" or "[Ảnh: tên-tệp.jpg | chú thích]"; list items are
lines starting with "-", "•", "+", "*" or a number ("1.", "2)", "a)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from compose.model import Block, Item

LIST_ITEM = re.compile(r"^([-–•*+●▪■◦○➢✓]|\d{1,2}[.)]|[a-zđ][)])\s+\S", re.IGNORECASE)
ROMAN_HEADING = re.compile(r"^[IVX]{1,5}[.)]\s+\S")
IMAGE_LINE = re.compile(
    r"^\[\s*(?:Ảnh|Anh|Image)\s*:\s*(?P<name>[^|\]]+?)\s*(?:\|\s*(?P<caption>[^\]]*?)\s*)?\]$",
    re.IGNORECASE,
)
HEADING_MARK = "# "
_ENDS = (".", ",", ";", ":", "!", "?", "…", '"', "”", ")")
HEADING_MAX = 120
TITLE_LINE_MAX = 150
_WRAP_MIN, _WRAP_MAX = 55, 80


def is_heading_line(line: str) -> bool:
    """A short line that names a section: no closing punctuation, no colon, a few words."""
    line = line.strip()
    if not line or len(line) > HEADING_MAX or LIST_ITEM.match(line):
        return False
    if ":" in line and not line.isupper():
        return False
    if line.endswith(_ENDS) or len(line.split()) < 2:
        return False
    return line.isupper() or bool(ROMAN_HEADING.match(line)) or len(line) <= 90


def is_title_line(line: str) -> bool:
    """A line that can be an article's title: one line, short, not a sentence."""
    line = line.strip()
    if not line or len(line) > TITLE_LINE_MAX or LIST_ITEM.match(line) or "\n" in line:
        return False
    return not line.endswith(_ENDS) and len(line.split()) >= 2


def text_items(text: str) -> list[Item]:
    """Paragraphs (blank-line separated), headings and list items of plain text."""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    items: list[Item] = []
    for position, block in enumerate(blocks):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        last = position == len(blocks) - 1
        items.extend(_block_items(lines, last=last))
    return items


def _block_items(lines: list[str], *, last: bool) -> list[Item]:
    if any(LIST_ITEM.match(line) for line in lines):
        return _list_block(lines)
    if len(lines) == 1:
        line = lines[0]
        if not last and is_heading_line(line):
            return [Item("heading", line)]
        return [Item("text", line)]
    if _hard_wrapped(lines):
        return [Item("text", " ".join(lines))]
    out: list[Item] = []
    if is_heading_line(lines[0]) and (lines[0].isupper() or ROMAN_HEADING.match(lines[0])):
        out.append(Item("heading", lines[0]))
        lines = lines[1:]
    rest = _paragraphs(lines)
    return out + [Item("text", para) for para in rest]


def _hard_wrapped(lines: list[str]) -> bool:
    """Lines cut at a fixed width by the sender's mail client: one paragraph."""
    body = lines[:-1]
    wrapped = [line for line in body if _WRAP_MIN <= len(line) <= _WRAP_MAX]
    return len(wrapped) * 10 >= len(body) * 6 and all(len(line) <= _WRAP_MAX for line in body)


def _paragraphs(lines: list[str]) -> list[str]:
    """Single-newline lines: a new paragraph after a line that ends a sentence."""
    paras: list[str] = []
    current: list[str] = []
    for line in lines:
        current.append(line)
        if line.endswith((".", "!", "?", "…", ":", '."', ".”")):
            paras.append(" ".join(current))
            current = []
    if current:
        paras.append(" ".join(current))
    return paras


def _list_block(lines: list[str]) -> list[Item]:
    items: list[Item] = []
    for line in lines:
        if LIST_ITEM.match(line) or not items or items[-1].type != "item":
            kind = "item" if LIST_ITEM.match(line) else "text"
            items.append(Item(kind, line))
        else:  # a list item wrapped onto the next line
            items[-1] = Item("item", f"{items[-1].content} {line}")
    return [Item("text", i.content) if i.type == "item" else i for i in items]


def document_items(blocks: Sequence[Block]) -> list[Item]:
    """Items of a Word document's paragraphs: headings kept, list items keep a bullet."""
    items: list[Item] = []
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if block.kind == "heading":
            items.append(Item("heading", text))
        elif block.kind == "item":
            items.append(Item("text", text if LIST_ITEM.match(text) else f"• {text}"))
        elif not items and "\n" not in text and text.isupper() and is_heading_line(text):
            items.append(Item("heading", text))  # a title typed in capitals, no style
        else:
            items.extend(Item("text", line.strip()) for line in text.split("\n") if line.strip())
    return items


def body_text(items: Sequence[Item]) -> str:
    """The body as editable text (see the module's docstring)."""
    out: list[str] = []
    for item in items:
        if item.type == "heading":
            out.append(HEADING_MARK + item.content)
        elif item.type == "image":
            caption = f" | {item.caption}" if item.caption else ""
            out.append(f"[Ảnh: {item.name}{caption}]")
        else:
            out.append(item.content)
    return "\n\n".join(out)


def parse_body(text: str) -> list[Item]:
    """An editor's body: each block as written (no heading guessing), images by marker."""
    items: list[Item] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith(HEADING_MARK.strip()):
            heading = lines[0].lstrip("#").strip()
            if heading:
                items.append(Item("heading", heading))
            continue
        paragraph: list[str] = []
        for line in lines:
            image = IMAGE_LINE.match(line)
            if image or LIST_ITEM.match(line):
                if paragraph:
                    items.append(Item("text", " ".join(paragraph)))
                    paragraph = []
                if image:
                    caption = (image["caption"] or "").strip()
                    items.append(Item("image", name=image["name"].strip(), caption=caption))
                else:
                    items.append(Item("text", line))
            else:
                paragraph.append(line)
        if paragraph:
            items.append(Item("text", " ".join(paragraph)))
    return items
