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
        # How many of each tag the stack holds: an end tag or a <pre> test is answered
        # without scanning it (20,000 <div> then 20,000 </span> took 4 CPU-minutes).
        self.open: dict[str, int] = {}
        self.hidden = 0
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br" and not self.hidden:
                self.out.append("\n")
            return
        hide = tag in _SKIP or (self.drop_quotes and _is_dropped(tag, dict(attrs)))
        self.stack.append((tag, hide))
        self.open[tag] = self.open.get(tag, 0) + 1
        self.hidden += hide
        if tag == "blockquote":
            self.quote_depth += 1
        if not self.hidden:
            self._block_break(tag)
            if tag == "li":
                self.out.append("\n- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.open.get(tag):
            return
        while self.stack:
            name, hide = self.stack.pop()
            self.open[name] -= 1
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
        return bool(self.open.get("pre"))


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
        parser.feed(_closed(html))
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last resort for odd input
        return tidy(re.sub(r"<[^>]*>", " ", html))
    return tidy("".join(parser.out))


# A "<" that cannot open markup is text (HTML5): written as "&lt;" it stays in its run of
# text instead of being one call of handle_data() each (2 MB of "<" took 6 CPU-seconds).
_LONE_LT = re.compile(r"<(?![A-Za-z/!?])")
MAX_HTML_CHARS = 2_000_000  # as ParseLimits.max_text_chars: the text cannot be longer


def _closed(html: str) -> str:
    """`html` bounded, its lone "<" written as text, and the markup left open at its end
    closed. At the end of its input,
    Python 3.11's HTMLParser rescans an unterminated construct from each of its "<" in
    turn: 6,000 "<a " without a ">" took 4 CPU-seconds, 30,000 over a minute. Closed,
    the tail is read once (and, being broken markup, yields no text)."""
    html = _LONE_LT.sub("&lt;", html[:MAX_HTML_CHARS])
    tail = html.rfind(">") + 1
    start = html.find("<", tail)
    if start < 0:
        return html
    if html.startswith("<!--", start):
        return html + "-->"
    if html.startswith("<![CDATA[", start):
        return html + "]]>"
    return html + ">"


def tidy(text: str) -> str:
    """Trim line ends and collapse runs of blank lines to one."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
