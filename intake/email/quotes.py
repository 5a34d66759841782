"""Removing quoted replies and signatures from plain text (English and Vietnamese clients).

Forwarded content is kept: stripping applies only to the text before a forward marker.
"""

from __future__ import annotations

import re

_FORWARD = re.compile(
    r"^\s*(-{2,}\s*(Forwarded message|Thư đã chuyển tiếp|Chuyển tiếp thư"
    r"|Thư chuyển tiếp|Tin nhắn đã chuyển tiếp)\s*-{2,}"
    r"|Begin forwarded message:|Bắt đầu thư được chuyển tiếp:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# Outlook and Zimbra use the same separator for replies and forwards: it marks a forward
# only when the subject says so.
_ORIGINAL = re.compile(
    r"^\s*-{3,}\s*(Original Message|Thư gốc|Tin nhắn gốc)\s*-{3,}\s*$", re.I | re.M
)
# A reply header line ends the new text; everything after it is the quoted original.
_REPLY_HEADERS = [
    re.compile(r"^\s*On .{5,300}?\bwrote:\s*$", re.MULTILINE | re.DOTALL),
    re.compile(r"^\s*Vào .{5,300}?đã viết:\s*$", re.MULTILINE | re.DOTALL),
    re.compile(r"^\s*Le .{5,300}?a écrit\s*:\s*$", re.MULTILINE | re.DOTALL),
    _ORIGINAL,
    re.compile(r"^\s*_{10,}\s*\n\s*(From|Từ):", re.MULTILINE),
    re.compile(r"^\s*(From|Từ):\s.+\n\s*(Sent|Date|Đã gửi|Ngày|Gửi):\s", re.MULTILINE),
]
_SIGNATURE_LINES = re.compile(
    r"^\s*(Sent from my \w[\w ]*|Sent from Mail for Windows|Sent from Outlook"
    r"|Get Outlook for (iOS|Android)|Gửi từ iPhone của tôi|Được gửi từ iPhone của tôi"
    r"|Gửi từ (điện thoại|thiết bị) .{0,40}|Gửi từ Samsung Mobile|Gửi từ Thư dành cho Windows"
    r"|Tải Outlook cho (iOS|Android)|Sent via .{0,40})\.?\s*(<https?://[^>]*>)?\s*$",
    re.MULTILINE | re.IGNORECASE,
)
_SIG_DASHES = re.compile(r"^-- ?$", re.MULTILINE)


def strip_quotes(text: str, *, forwarded: bool = False) -> str:
    """The new text of a reply: quoted original and signature removed, forwards kept."""
    marker = _FORWARD.search(text) or (_ORIGINAL.search(text) if forwarded else None)
    head, tail = (text[: marker.start()], text[marker.start() :]) if marker else (text, "")
    head = _cut_reply(head)
    head = _cut_signature(head)
    head = _drop_trailing_quote(head)
    if tail:
        return (head.rstrip() + "\n\n" + tail.strip()).strip()
    return head.strip()


def _cut_reply(text: str) -> str:
    cut = len(text)
    for pattern in _REPLY_HEADERS:
        found = pattern.search(text)
        if found and found.start() < cut:
            cut = found.start()
    return text[:cut]


def _cut_signature(text: str) -> str:
    dashes = _SIG_DASHES.search(text)
    if dashes:
        text = text[: dashes.start()]
    return _SIGNATURE_LINES.sub("", text)


def _drop_trailing_quote(text: str) -> str:
    lines = text.rstrip().split("\n")
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()
    kept = [line for line in lines if not line.lstrip().startswith(">")]
    # Interleaved quoting ("> question" then answer) keeps the answers only.
    return "\n".join(kept)
