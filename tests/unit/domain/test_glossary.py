"""One vocabulary: no user-facing string uses a word the glossary replaces, says "Newsdesk" or
shows an English status name. Scanned: every string constant of the texts modules (and the
labels the domain keeps), every CLI help text, the web console's templates, and every rendered
text of the snapshot tests."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from types import ModuleType

import pytest

from compose import texts as compose_texts
from domain import glossary, kinds, states, warnings
from intake.email import texts as mail_texts
from intake.telegram import texts as bot_texts
from publisher import texts as pub_texts
from reports import texts as report_texts
from review import texts as review_texts
from scheduler import texts as sched_texts
from tests.support.paths import ROOT
from tests.support.rendered import rendered

TEXT_MODULES: tuple[ModuleType, ...] = (
    mail_texts, bot_texts, pub_texts, report_texts, review_texts, sched_texts, compose_texts,
    warnings, kinds, states, glossary,
)  # fmt: skip
# Not user-facing: the glossary's own list of what never to write, and the English keys.
SKIP = {(glossary, "INSTEAD_OF"), (glossary, "CASE_SENSITIVE"), (glossary, "ENGLISH_STATUSES")}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, Enum):  # a state or kind itself, not a text
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _strings(item)


def constants() -> Iterator[tuple[str, str]]:
    for module in TEXT_MODULES:
        for name, value in vars(module).items():
            if name.startswith("__") or (module, name) in SKIP:
                continue
            for text in _strings(value):
                yield f"{module.__name__}.{name}", text


def cli_help() -> Iterator[tuple[str, str]]:
    """Command docstrings and help= texts of every CLI module."""
    for path in sorted((ROOT / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.decorator_list:
                doc = ast.get_docstring(node)
                if doc:
                    yield f"cli/{path.name}:{node.name}", doc
            if (
                isinstance(node, ast.keyword)
                and node.arg == "help"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                yield f"cli/{path.name}:{node.lineno}", node.value.value


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_OUTPUT = re.compile(r"\{\{(.*?)\}\}", re.S)


def templates() -> Iterator[tuple[str, str]]:
    """The web console's pages: the text between the tags, and the strings a page prints
    ({{ s.title or "(chưa có tiêu đề)" }}); not the markup, nor the values tests compare."""
    for path in sorted((ROOT / "web" / "console" / "templates").glob("*.html")):
        source = path.read_text(encoding="utf-8")
        yield f"{path.name}:text", re.sub(r"<[^>]+>", " ", _JINJA.sub(" ", source))
        for expression in _OUTPUT.findall(source):
            for literal in re.findall(r'"([^"]*)"', expression):
                yield f"{path.name}:output", literal


def _pattern(word: str) -> re.Pattern[str]:
    flags = 0 if word in glossary.CASE_SENSITIVE else re.IGNORECASE
    # "tin, bài gửi trong tháng" is a verb phrase, not the noun "bài gửi".
    return re.compile(rf"(?<![\w/-])(?<!tin, ){re.escape(word)}(?![\w/-])", flags)


FORBIDDEN = {word: _pattern(word) for word in glossary.INSTEAD_OF}
ENGLISH = {word: _pattern(word) for word in glossary.ENGLISH_STATUSES}
ALL = (
    [(f"constant {n}", t) for n, t in constants()]
    + [(f"help {n}", t) for n, t in cli_help()]
    + [(f"template {n}", t) for n, t in templates()]
    + [(f"rendered {n}", t) for n, t in rendered().items()]
)


def _without_addresses(text: str) -> str:
    """Addresses and links are data, not wording ("https://…/link", "tin@…")."""
    return re.sub(r"\S+@\S+|https?://\S+|\{[a-z_]+\}", " ", text)


def offences(patterns: dict[str, re.Pattern[str]]) -> list[str]:
    found = []
    for where, text in ALL:
        clean = _without_addresses(text)
        for word, pattern in patterns.items():
            if pattern.search(clean):
                found.append(f"{where}: «{word}» in {text[:80]!r}")
    return found


def test_the_scan_covers_every_surface() -> None:
    wheres = {where.split(" ", 1)[0] for where, _ in ALL}
    assert wheres == {"constant", "help", "template", "rendered"}
    assert len(ALL) > 300


def test_no_user_facing_string_uses_a_word_the_glossary_replaces() -> None:
    assert offences({w: p for w, p in FORBIDDEN.items() if w != "Newsdesk"}) == []


def test_no_user_facing_string_names_the_software() -> None:
    assert offences({"Newsdesk": FORBIDDEN["Newsdesk"]}) == []


def test_no_user_facing_string_shows_an_english_status() -> None:
    assert offences(ENGLISH) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Đã gửi yêu cầu sửa bài", "yêu cầu sửa"),
        ("Thẻ này đã cũ", "thẻ"),
        ("Hệ thống Newsdesk gửi kèm", "Newsdesk"),
        ("Ban biên tập đề nghị", "Ban biên tập"),
        ("gửi đường link", "link"),
    ],
)
def test_the_scan_catches_what_it_should(text: str, word: str) -> None:
    assert FORBIDDEN[word].search(_without_addresses(text))


def test_the_scan_leaves_correct_wording_alone() -> None:
    for text in ("Ban Biên tập", "đường liên kết", "https://t.me/x?link=1", "phiếu duyệt"):
        assert not any(p.search(_without_addresses(text)) for p in FORBIDDEN.values()), text


def test_status_and_kind_labels_are_the_glossary_s() -> None:
    shown = set(states.STATUS_LABELS.values())
    assert {"Chờ duyệt", "Cần chỉnh sửa", "Đã duyệt", "Đã hẹn giờ đăng", "Đã đăng",
            "Đăng không thành công"} <= shown  # fmt: skip
    assert list(kinds.KIND_LABELS.values()) == [
        "Tin", "Bài viết", "Hình ảnh", "Poster, infographic", "Video", "Khác"
    ]  # fmt: skip


def test_no_text_writes_a_bare_time_and_date() -> None:
    """ "08:30 ngày 25/11/2026", never "08:30 25/11/2026" or "25/11/2026 08:30"."""
    bare = re.compile(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}|\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
    assert [where for where, text in ALL if bare.search(text)] == []


def test_the_oa_is_named_as_a_page_in_what_people_receive() -> None:
    """ "Trang Zalo OA “…”", never "Zalo OA" alone, in every rendered mail and message."""
    bare = re.compile(r"(?<!Trang )Zalo OA")
    assert [name for name, text in rendered().items() if bare.search(text)] == []


def test_one_date_format_in_local_time() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội
    assert glossary.fmt_at(at) == "lúc 08:30 ngày 25/11/2026"
    assert glossary.fmt_time(at) == "08:30 ngày 25/11/2026"
    assert report_texts.fmt_datetime is glossary.fmt_time
    assert glossary.fmt_month("2026-11") == "11/2026"


def test_the_time_parser_reads_what_the_system_writes() -> None:
    """An editor copying a time from a card or a reply gets that time back."""
    from datetime import UTC, datetime

    from domain.periods import parse_local_time

    now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    at = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
    assert parse_local_time(glossary.fmt_at(at), now=now) == at
    assert parse_local_time(glossary.fmt_time(at), now=now) == at


def test_texts_never_hard_code_the_2024_names() -> None:
    """The Department's and the OA's names come from settings: no texts module writes them."""
    for module in TEXT_MODULES:
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        for name in ("Sở Thông tin và Truyền thông", "Công dân số Thái Bình"):
            assert name not in source, f"{module.__name__} writes {name!r}"
