"""The covering letter around an article: salutation, transmittal sentence, closing,
"Nơi nhận:", signature block and mobile footers (pure).

Vietnamese administrative mail wraps what is to be published in a letter to the editors:

    Kính gửi: Ban Biên tập Zalo OA
    Sở Y tế gửi bài tuyên truyền ..., đề nghị Ban Biên tập xem xét, đăng tải.
    <the article>
    Trân trọng cảm ơn!
    Nguyễn Văn An
    Chánh Văn phòng Sở Y tế
    ĐT: 0912 345 678
    Sent from my iPhone

`split_letter()` returns the article's text and the letter's lines. Only the head and the
tail of the text are looked at: a sentence inside the article is never taken for the letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE

SALUTATION = re.compile(r"^(kính\s*gửi|kính\s*thưa|thưa|xin\s*chào|chào|dear|hi|hello|gửi)\b", _I)
LETTERHEAD = re.compile(
    r"^(v/v|v\.v\.?|về\s*việc|số\s*:|ubnd\b|ủy\s*ban\s*nhân\s*dân|uỷ\s*ban\s*nhân\s*dân|"
    r"cộng\s*hòa\s*xã\s*hội|cộng\s*hoà\s*xã\s*hội|độc\s*lập\s*[-–]\s*tự\s*do)",
    _I,
)
_PRODUCT = (
    r"(tin|bài|tin\s*bài|tin,\s*bài|sản\s*phẩm|ảnh|hình\s*ảnh|video|clip|tệp|file|"
    r"tài\s*liệu|nội\s*dung|infographic|poster|áp\s*phích|kế\s*hoạch|báo\s*cáo|tờ\s*(gấp|rơi))"
)
TRANSMITTAL = (
    re.compile(rf"\b(gửi|chuyển)\b.{{0,80}}\b{_PRODUCT}\b", _I),
    re.compile(
        r"\b(đề\s*nghị|kính\s*đề\s*nghị|nhờ|mong|kính\s*mong|rất\s*mong|xin)\b"
        r".{0,120}\b(đăng|đưa\s*tin|biên\s*tập|xem\s*xét|duyệt|đăng\s*tải|hỗ\s*trợ)\b",
        _I,
    ),
    re.compile(r"\b(đính\s*kèm|gửi\s*kèm|kèm\s*theo)\b", _I),
    re.compile(r"^(xin\s*|kính\s*)?(gửi|chuyển)\s*(ban|bbt|quý|anh|chị)\b", _I),
    re.compile(r"\b(như\s*sau|dưới\s*đây|sau\s*đây)\s*[:.]?\s*$", _I),
)
# A longer sentence is a transmittal only when it speaks to the editors or of sending: an
# article's own lead ("UBND tỉnh đề nghị các sở ... đăng tải trên cổng thông tin") is not.
ADDRESSED = re.compile(
    r"(gửi\s*lại|(đơn\s*vị|em|tôi|chúng\s*tôi|xin\s*phép)\s*(xin\s*)?(gửi|chuyển)|"
    r"chuyển\s*(ban|bbt|quý|anh|chị)|ban\s*biên\s*tập|\bbbt\b|"
    r"quý\s*(ban|cơ\s*quan|sở|đơn\s*vị)|đính\s*kèm|gửi\s*kèm|kèm\s*theo|như\s*sau|dưới\s*đây|"
    r"sau\s*đây|xin\s*gửi|trân\s*trọng\s*gửi|kính\s*gửi|gửi\s*(tới|đến)\s*(ban|quý|anh|chị))",
    _I,
)
FORWARDED = re.compile(
    r"^(-{2,}\s*(forwarded|original)\s*message|-{2,}\s*(thư|tin\s*nhắn)\s*(chuyển\s*tiếp|gốc)|"
    r"begin\s*forwarded\s*message|(subject|date|from|to|cc|sent|tiêu\s*đề|chủ\s*đề|ngày|từ|"
    r"đến|người\s*gửi|thời\s*gian)\s*:\s)",
    _I,
)
CLOSING = re.compile(
    r"^(trân\s*trọng|trân\s*trong|xin\s*trân\s*trọng|kính\s*thư|thân\s*ái|thân\s*mến|"
    r"(xin\s*)?(chân\s*thành\s*)?cảm\s*ơn|cám\s*ơn|thanks|thank\s*you|best\s*regards|regards|"
    r"nơi\s*nhận|(tm|kt|tl|tuq|q)\.\s|--\s*$|_{3,}|-{3,}\s*$)",
    _I,
)
_LABELS = (
    r"(đt|sđt|sdt|đtdđ|dđ|dd|di\s*động|điện\s*thoại|điện\s*thoại\s*di\s*động|mobile|mob|"
    r"tel|phone|hotline|fax|email|e-mail|mail|zalo|địa\s*chỉ|đ/c|website|web)"
)
CONTACT = re.compile(
    rf"^[-–•*+\s]*{_LABELS}(\s*(cq|cơ\s*quan|nr|nhà\s*riêng))?(\s*[/,]\s*{_LABELS})*\s*[:.]", _I
)
BARE_PHONE = re.compile(r"^[+()\d][\d\s.\-()]{8,18}$")
FOOTER = re.compile(
    r"^(sent\s+from\s+my|sent\s+from|get\s+outlook\s+for|được\s+gửi\s+từ|gửi\s+từ\s+"
    r"(iphone|ipad|điện\s*thoại|samsung|thiết\s*bị|ứng\s*dụng|zalo|mail)|"
    r"gửi\s+từ\s+.{0,40}\s+của\s+tôi)",
    _I,
)
RECEIVER_ITEM = re.compile(r"^[-–+]\s*(như\s*trên|lưu|vt|ban\b|bbt|sở\b|ubnd|phòng)", _I)

_TAIL_WINDOW = 30
_SIGNATURE_LINE = 80  # a name, a position, a unit
_LETTER_LINE = 400
_TRANSMITTAL_LINE = 300
_SHORT_TRANSMITTAL = 120


@dataclass(frozen=True)
class Split:
    """The article's text and the letter's non-empty lines (head, then tail)."""

    content: str
    letter: tuple[str, ...]


def is_transmittal(line: str) -> bool:
    """A sentence that hands the article over to the editors: a short one that sends
    something, or one that names the editors or the publishing."""
    if len(line) > _TRANSMITTAL_LINE or not any(p.search(line) for p in TRANSMITTAL):
        return False
    return len(line) <= _SHORT_TRANSMITTAL or bool(ADDRESSED.search(line))


def is_salutation(line: str) -> bool:
    return len(line) <= 200 and bool(SALUTATION.match(line)) and not line.endswith(".")


def is_contact(line: str) -> bool:
    return len(line) <= 160 and (bool(CONTACT.match(line)) or bool(BARE_PHONE.match(line)))


def is_tail_marker(line: str) -> bool:
    return bool(CLOSING.match(line) or FOOTER.match(line)) or is_contact(line)


def split_letter(text: str) -> Split:
    """Separate the covering letter (head and tail) from the article's text."""
    lines = text.split("\n")
    head_end = _head_end(lines)
    tail_start = max(_tail_start(lines), head_end)
    letter = [line for line in lines[:head_end] + lines[tail_start:] if line.strip()]
    content = "\n".join(lines[head_end:tail_start]).strip()
    return Split(content=content, letter=tuple(letter))


def _head_end(lines: list[str]) -> int:
    """Index of the first line of the article after the letter's head."""
    index, end = 0, 0
    continuing = False  # a transmittal sentence wrapped onto the next line
    salutation_list = False  # "Kính gửi:" followed by "- Ban Biên tập ...;" lines
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            continuing = False
            continue
        if salutation_list and line[:1] in "-–+•":
            continuing = False
        elif continuing and len(line) <= _LETTER_LINE and not line.isupper():
            continuing = not line.endswith(_ENDS)
        elif FORWARDED.match(line):
            salutation_list = continuing = False
        elif LETTERHEAD.match(line) or is_salutation(line):
            salutation_list = line.endswith(":")
            continuing = False
        elif is_transmittal(line):
            salutation_list = False
            continuing = not line.endswith(_ENDS)
        else:
            break
        end = index
    return end


_ENDS = (".", "!", "?", ":", ";", ",", "…")


def _tail_start(lines: list[str]) -> int:
    """Index of the first line of the letter's tail (len(lines) when there is none).

    From the bottom up, the run of lines a letter's tail is made of (closings, contact
    lines, footers, "Nơi nhận" items, short lines such as a name or a position); the tail
    starts at the run's first marker, so short article lines above it stay in the article.
    """
    n = len(lines)
    run_top = n
    seen = 0
    for i in range(n - 1, -1, -1):
        line = lines[i].strip()
        if not line:
            continue
        seen += 1
        if seen > _TAIL_WINDOW:
            break
        short = len(line) <= _SIGNATURE_LINE and not line.endswith((".", "!", "?", "…"))
        if is_tail_marker(line) or RECEIVER_ITEM.match(line) or short or len(line) <= 30:
            run_top = i
            continue
        break
    markers = [i for i in range(run_top, n) if is_tail_marker(lines[i].strip())]
    if not markers:
        return n
    start = _signature_above(lines, markers[0])
    return _transmittal_above(lines, start)


def _signature_above(lines: list[str], start: int) -> int:
    """When the tail starts with contact lines, the name and position lines just above them
    (up to a blank line, at most 5) belong to the signature too."""
    if start >= len(lines) or not is_contact(lines[start].strip()):
        return start
    index = start
    while index > 0 and start - index < 5:
        line = lines[index - 1].strip()
        if not line or len(line) > _SIGNATURE_LINE or line.endswith((".", "!", "?", ";")):
            break
        index -= 1
    return index


def _transmittal_above(lines: list[str], start: int) -> int:
    """A transmittal or closing sentence just above the tail ("Đề nghị Ban Biên tập đăng
    tải.", "Xin cảm ơn!") belongs to the letter too."""
    index = start
    probe = start - 1
    while probe >= 0:
        line = lines[probe].strip()
        if not line:
            probe -= 1
            continue
        if (is_transmittal(line) and len(line) <= 250) or CLOSING.match(line):
            index = probe
            probe -= 1
            continue
        break
    return index
