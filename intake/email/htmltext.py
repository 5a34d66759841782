"""Clean text from HTML mail bodies: paragraphs and line breaks kept, markup gone."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "center", "address", "dl", "dt", "dd",
}  # fmt: skip
_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "col", "area", "base", "source"}
# Containers of a quoted reply or a mail-client signature that are dropped whole.
_DROP_CLASSES = ("gmail_quote", "gmail_signature", "moz-cite-prefix", "yahoo_quoted")
_DROP_IDS = ("divrplyfwdmsg", "appendonsend", "signature", "ms-outlook-mobile-signature")


class _Extractor(HTMLParser):
    def __init__(self, *, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_quotes = drop_quotes
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, starts a dropped/skipped region)
        self.hidden = 0
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br" and not self.hidden:
                self.out.append("\n")
            return
        hide = tag in _SKIP or (self.drop_quotes and _is_dropped(tag, dict(attrs)))
        self.stack.append((tag, hide))
        self.hidden += hide
        if tag == "blockquote":
            self.quote_depth += 1
        if not self.hidden:
            self._block_break(tag)
            if tag == "li":
                self.out.append("\n- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            name, hide = self.stack.pop()
            self.hidden -= hide
            if name == "blockquote":
                self.quote_depth -= 1
            if name == tag:
                break
        if not self.hidden:
            self._block_break(tag)

    def _block_break(self, tag: str) -> None:
        if tag in _BLOCK or tag in ("blockquote", "td", "th"):
            self.out.append("\n" if tag in ("td", "th") else "\n\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        text = re.sub(r"[ \t\r\n\f\u00a0]+", " ", data) if not self._in_pre() else data
        if self.quote_depth and text.strip():
            text = "\n".join("> " * self.quote_depth + line for line in text.split("\n"))
        self.out.append(text)

    def _in_pre(self) -> bool:
        return any(t == "pre" for t, _ in self.stack)


def _is_dropped(tag: str, attrs: dict[str, str | None]) -> bool:
    classes = (attrs.get("class") or "").lower()
    ident = (attrs.get("id") or "").lower()
    if tag == "blockquote" and (attrs.get("type") or "").lower() == "cite":
        return True
    return any(c in classes for c in _DROP_CLASSES) or ident in _DROP_IDS


def html_to_text(html: str, *, drop_quotes: bool = True) -> str:
    """Text of an HTML body; quoted replies and signature blocks dropped when marked."""
    parser = _Extractor(drop_quotes=drop_quotes)
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last resort for odd input
        return tidy(re.sub(r"<[^>]*>", " ", html))
    return tidy("".join(parser.out))


def tidy(text: str) -> str:
    """Trim line ends and collapse runs of blank lines to one."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
