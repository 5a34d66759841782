"""Hostile and unlucky mail (issue 18): each case that stalled a worker or lost a
whole message, as a regression test. The time bounds are the issue's budget (2 s of CPU per
message) far above what these take now (milliseconds): before the fixes they took seconds
to CPU-minutes."""

from __future__ import annotations

import base64
import io
import json
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from domain.warnings import warning_text
from intake.email.budget import parse_within
from mime.bounds import MAX_PARAMETERS, bound_header
from mime.charsets import decode_bytes, lookup
from mime.parse import parse_message
from mime.quotes import strip_quotes
from tests.golden.mimekit import tnef
from tests.support.paths import ROOT

T = TypeVar("T")
BUDGET_CPU_SECONDS = 2.0


def within_budget(work: Callable[[], T]) -> T:
    """Run `work` and check it used less CPU than one message may."""
    started = time.process_time()
    result = work()
    used = time.process_time() - started
    assert used < BUDGET_CPU_SECONDS, f"{used:.2f} CPU-s"
    return result


def mail(body: bytes, headers: bytes = b"Subject: Tin\r\n") -> bytes:
    return "From: Phòng VH <vh@xa.gov.vn>\r\n".encode() + headers + b"\r\n" + body


# --- 1. quotes and signatures in linear time ---------------------------------------------

HOSTILE_TEXTS = {
    "blank lines": "Tin mới\n" + "\n" * 100_000,
    "blank lines with spaces": "Tin mới\n" + " \t\n" * 50_000,
    "no-break spaces": "Tin mới\n" + "\u00a0\n" * 50_000,
    "reply openings": "On \n" * 50_000,
    "reply openings, vi": "Vào \n" * 50_000,
    "From then blank lines": "From: a\n" + "\n" * 100_000 + "x",
    "underscores then blank lines": "_" * 20 + "\n" * 100_000 + "y",
    "signature then spaces": ("Sent from my a" + " " * 30_000 + "!\n") * 3,
    "signature link never closed": ("Sent via x <https://" + "\n") * 20_000,
    "phone signature then spaces": ("Gửi từ điện thoại " + " " * 30_000 + "!\n") * 3,
    "dashes then spaces": ("--" + " " * 30_000 + "!\n") * 3,
    "long dash lines": ("-" * 30_000 + " " * 30_000 + "!\n") * 3,
}


@pytest.mark.parametrize("forwarded", [False, True])
@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_quote_stripping_is_linear(name: str, forwarded: bool) -> None:
    text = HOSTILE_TEXTS[name]
    within_budget(lambda: strip_quotes(text, forwarded=forwarded))


def test_a_mail_of_blank_lines_parses_within_budget() -> None:
    # The 200 KB mail of 100,000 blank lines took ~16 CPU-minutes.
    parsed = within_budget(lambda: parse_message(mail(b"Xin ch\xc3\xa0o\r\n" + b"\r\n" * 100_000)))
    assert parsed.text == "Xin chào"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đồng ý.\n\nOn Mon, 1 Jan 2024 at 08:00, Lan <lan@xa.gov.vn>\nwrote:\n> Hỏi", "Đồng ý."),
        ("Đồng ý.\n\nVào Th 2, 1 thg 1, 2024 Lan đã viết:\n> Hỏi", "Đồng ý."),
        ("Đồng ý.\n\n  Le lundi 1 janvier, Lan a écrit :\n> Q", "Đồng ý."),
        ("On the road.\n" + "x" * 400 + " wrote:\n", "On the road.\n" + "x" * 400 + " wrote:"),
        ("Bài.\n\u00a0\n________________\n\nTừ: Lan\nGửi: Thứ Hai", "Bài."),
        ("Bài.\n\nFrom: Lan\n\n Sent: Monday\n", "Bài."),
        ("Bài.\n\nSent from my Galaxy  Note <https://x.vn/a>\n", "Bài."),
        ("Bài.\n \t\n -----Original Message----- \nx", "Bài."),
    ],
)
def test_reply_headers_and_signatures_still_found(text: str, expected: str) -> None:
    assert strip_quotes(text) == expected


# --- 2. bounded header parsing -----------------------------------------------------------

OPEN_QUOTE = b'"' + b"a;" * 100_000  # ~200 KB, the quote never closed


def test_a_huge_content_type_is_cut_and_what_fits_is_kept() -> None:
    raw = mail(
        "Xin chào".encode("cp1258"),
        b"Subject: Tin\r\nContent-Type: text/plain; charset=windows-1258; format="
        + OPEN_QUOTE
        + b"\r\n",
    )
    parsed = within_budget(lambda: parse_message(raw))
    assert parsed.text == "Xin chào"  # the charset before the cut still counts
    assert "header_truncated: Content-Type" in parsed.warnings


def test_a_huge_filename_and_boundary_are_cut() -> None:
    attachment = mail(
        b"JVBERi0=\r\n",
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=" + OPEN_QUOTE + b"\r\n",
    )
    parsed = within_budget(lambda: parse_message(attachment))
    assert [a.data for a in parsed.attachments] == [b"%PDF-"]
    assert "header_truncated: Content-Disposition" in parsed.warnings
    multipart = mail(
        b"--x\r\n\r\nx\r\n--x--\r\n",
        b"Content-Type: multipart/mixed; boundary=" + OPEN_QUOTE + b"\r\n",
    )
    parsed = within_budget(lambda: parse_message(multipart))
    assert "header_truncated: Content-Type" in parsed.warnings
    assert not any(w.startswith("unparseable") for w in parsed.warnings)


def test_only_the_first_parameters_are_kept() -> None:
    value = "text/plain; charset=utf-8; " + "; ".join(f"p{i}=v" for i in range(50_000))
    bounded = bound_header("Content-Type", value)
    assert (
        bounded is not None and bounded.count(";") == MAX_PARAMETERS
    )  # each parameter follows a ";"
    assert bounded.startswith("text/plain; charset=utf-8; p0=v;")
    assert bound_header("content-disposition", "attachment; filename=a.pdf") is None
    assert bound_header("To", "a@b.vn, " * 10_000) is None  # only parameterised headers
    long_one = "attachment; filename=a.pdf; x=" + "y" * 10_000
    assert bound_header("Content-Disposition", long_one) == "attachment; filename=a.pdf"


def test_nested_brackets_in_from_lose_the_sender_only() -> None:
    raw = b"From: " + b'"(<' * 6_000 + b"\r\nSubject: Tin\r\n\r\nN\xe1\xbb\x99i dung\r\n"
    parsed = within_budget(lambda: parse_message(raw))
    assert "sender_missing" in parsed.warnings
    assert parsed.text == "Nội dung" and parsed.title == "Tin"


# --- 3. a time budget per message in the parse workers ----------------------------------


def test_a_mail_over_its_cpu_budget_is_flagged_and_the_next_one_parses() -> None:
    slow = mail("Dòng tin\r\n".encode() * 400_000)  # ~0.1 CPU-s: far over a 1 ms budget
    flagged = parse_within(slow, 0.001)
    assert flagged.warnings == ("parse_over_budget: 0.001 s",)
    assert (flagged.text, flagged.attachments) == ("", ())
    assert warning_text(flagged.warnings[0]).startswith("Thư quá phức tạp")
    quick = parse_within(mail("Xin chào".encode()), 5.0)  # the timer was disarmed
    assert quick.text == "Xin chào" and not quick.warnings
    time.sleep(0)  # no pending timer signal is left to fire later
    assert signal.getitimer(signal.ITIMER_VIRTUAL) == (0.0, 0.0)


# --- 3. .docx bombs -----------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MEASURE = """
import json, re, sys, time
from mime.parse import parse_message
raw = sys.stdin.buffer.read()
started = time.process_time()
parsed = parse_message(raw)
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec (the forked test runner's size)
status = open("/proc/self/status").read()
print(json.dumps({
    "cpu": time.process_time() - started,
    "peak_mb": int(re.search(r"VmHWM:\\s*(\\d+) kB", status).group(1)) / 1024,
    "warnings": list(parsed.warnings),
    "text": parsed.text[:200],
}))
"""
PEAK_MB = 200  # of the whole process: interpreter, parser, the mail itself


def measured(raw: bytes) -> dict[str, Any]:
    """parse_message(raw) in a fresh interpreter: CPU seconds, peak memory, warnings."""
    root = ROOT
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE], input=raw, capture_output=True, cwd=root, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def docx_mail(document_body: bytes, styles: bytes | None = None) -> bytes:
    parts = {
        "word/document.xml": f'<w:document xmlns:w="{_W}"><w:body>'.encode()
        + document_body
        + b"</w:body></w:document>"
    }
    if styles is not None:
        parts["_rels/.rels"] = (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="r1" '
            f'Type="{_DOC}/officeDocument" Target="word/document.xml"/></Relationships>'
        ).encode()
        parts["word/_rels/document.xml.rels"] = (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="r2" '
            f'Type="{_DOC}/styles" Target="styles.xml"/></Relationships>'
        ).encode()
        parts["word/styles.xml"] = f'<w:styles xmlns:w="{_W}">'.encode() + styles + b"</w:styles>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return mail(
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nG\xe1\xbb\xadi b\xc3\xa0i.\r\n"
        b"--B\r\nContent-Type: application/vnd.openxmlformats-officedocument."
        b"wordprocessingml.document; name=bai.docx\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(buffer.getvalue())
        + b"--B--\r\n",
        b"Subject: Tin\r\nContent-Type: multipart/mixed; boundary=B\r\n",
    )


BOMBS = {
    # the cases: 49 MB document.xml of paragraphs, of runs in one paragraph, of
    # elements that are not Word's; a 40 MB style sheet
    "paragraphs": lambda: docx_mail(
        b"<w:p><w:r><w:t>Tin b\xc3\xa0i</w:t></w:r></w:p>" * 1_225_000
    ),
    "runs": lambda: docx_mail(b"<w:p>" + b"<w:r><w:t>a</w:t></w:r>" * 2_200_000 + b"</w:p>"),
    "foreign elements": lambda: docx_mail(b"<x/>" * 12_000_000),
    "style sheet": lambda: docx_mail(
        b"<w:p><w:r><w:t>Tin b\xc3\xa0i m\xe1\xbb\x9bi</w:t></w:r></w:p>",
        b'<w:style w:styleId="a"><w:rPr><w:rFonts w:ascii=".VnTime"/></w:rPr></w:style>' * 450_000,
    ),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_docx_bombs_parse_in_bounded_time_and_memory(name: str) -> None:
    raw = BOMBS[name]()
    assert len(raw) < 300_000  # a small mail
    result = measured(raw)
    assert result["cpu"] < BUDGET_CPU_SECONDS and result["peak_mb"] < PEAK_MB, result
    if name in ("paragraphs", "runs"):  # the beginning of the text is kept, and said so
        assert "docx_truncated: bai.docx" in result["warnings"]
        assert result["text"].startswith("Tin bài" if name == "paragraphs" else "aaaa")
    if name == "style sheet":
        assert result["text"] == "Tin bài mới"  # read, without the style sheet


_MEASURE_BLOCKS = """
import json, re, sys, time
from mime.docxtext import extract_docx_blocks
from mime.parse import parse_message
[docx] = [a.data for a in parse_message(sys.stdin.buffer.read()).attachments]
started = time.process_time()
blocks = extract_docx_blocks(docx)
status = open("/proc/self/status").read()
print(json.dumps({
    "cpu": time.process_time() - started,
    "peak_mb": int(re.search(r"VmHWM:\\s*(\\d+) kB", status).group(1)) / 1024,
    "first": blocks[0].text[:20] if blocks else None,
}))
"""


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_docx_bombs_compose_in_bounded_time_and_memory(name: str) -> None:
    """The article's structure (headings, list items) is read from the stored .docx when a
    card or an article is composed: the same limits hold there as at intake."""
    root = ROOT
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE_BLOCKS],
        input=BOMBS[name](),
        capture_output=True,
        cwd=root,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["cpu"] < BUDGET_CPU_SECONDS and result["peak_mb"] < PEAK_MB, result
    if name in ("paragraphs", "style sheet"):
        assert result["first"].startswith("Tin bài"), result


# --- 4. a codec that is no charset loses one header or part, not the message -------------


def two_parts(subject: str, text_part_params: str) -> bytes:
    return (
        "From: =?utf-8?q?Ph=C3=B2ng_VH?= <vh@xa.gov.vn>\r\n"
        f"Subject: {subject}\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        f"--B\r\nContent-Type: text/plain; {text_part_params}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nNội dung bài\r\n"
        "--B\r\nContent-Type: application/pdf; name=bai.pdf\r\n\r\n%PDF-1\r\n--B--\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("subject", "params", "warning"),
    [
        ("=?rot13?q?Gva?=", "charset=utf-8", "header charset_unknown: rot13"),
        ("=?zlib?b?eJwrSS0uAQAEXQGt?=", "charset=utf-8", "header charset_unknown: zlib"),
        ("Tin", "charset=zlib", "charset_unknown: zlib"),
        ("Tin", "charset=undefined", "charset_unknown: undefined"),
        ("Tin", "charset=idna", "charset_unknown: idna"),
        ("Tin", "charset=punycode", "charset_unknown: punycode"),
        ("Tin", "charset=base64", "charset_unknown: base64"),
        ("Tin", "charset*=utf-8''utf-8", None),
        ("Tin", "charset*=zlib''utf-8", None),
        ("Tin", 'charset="utf-8\x00"', "charset_unknown: utf-8 (decoded as utf-8)"),
    ],
)
def test_a_codec_that_is_no_charset_falls_back_for_its_header_or_part(
    subject: str, params: str, warning: str | None
) -> None:
    parsed = parse_message(two_parts(subject, params))
    assert not any(w.startswith("unparseable") for w in parsed.warnings), parsed.warnings
    assert parsed.sender.address == "vh@xa.gov.vn" and parsed.sender.name == "Phòng VH"
    assert parsed.text == "Nội dung bài"
    assert [a.filename for a in parsed.attachments] == ["bai.pdf"]
    if warning is not None:
        assert any(w.startswith(warning) for w in parsed.warnings), parsed.warnings
    assert not any("\x00" in w for w in parsed.warnings)


@pytest.mark.parametrize("label", ["rot13", "zlib", "bz2", "hex", "uu", "undefined", "idna"])
def test_only_text_encodings_are_charsets(label: str) -> None:
    assert lookup(label) is None
    assert decode_bytes("Nội dung".encode(), label)[0] == "Nội dung"


@pytest.mark.parametrize("label", ["utf-16", "UTF-32", "utf-7", "windows-1258", "koi8-r"])
def test_real_charsets_still_are(label: str) -> None:
    assert lookup(label) is not None


# --- 6. winmail.dat member names ----------------------------------------------------------


def test_winmail_member_names_lose_their_paths_where_parsed() -> None:
    members = [
        ("../../../../tmp/x.txt", b"abc"),
        ("C:\\Users\\lan\\Bao cao.doc", b"d"),
        ("a\x01b.pdf", b"e"),
        ("../..", b"f"),
        ("anh.jpg", b"g"),
    ]
    winmail = base64.encodebytes(tnef(body="Nội dung", files=members))
    raw = mail(
        b"--B\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + winmail + b"--B--\r\n",
        b"Subject: Tin\r\nContent-Type: multipart/mixed; boundary=B\r\n",
    )
    names = [a.filename for a in parse_message(raw).attachments]
    assert names[:3] == ["x.txt", "Bao cao.doc", "ab.pdf"]
    assert names[3] == "winmail-4.bin"  # nothing was left of "../.."
    assert not any("/" in n or "\\" in n or n.startswith(".") for n in names)
