"""Golden corpus: every .eml under tests/golden/mail parses to the JSON beside it."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from mime.parse import parse_message
from tests.support.paths import GOLDEN

MAIL = GOLDEN / "mail"
FILES = sorted(MAIL.glob("*.eml"))


def _result(path: Path) -> dict[str, object]:
    parsed = parse_message(path.read_bytes())
    result = parsed.to_json_dict()
    result["automated"] = parsed.automated
    result["legacy_encoding"] = parsed.legacy_encoding
    result["in_reply_to"] = parsed.in_reply_to
    result["date"] = parsed.date.isoformat() if parsed.date else None
    return result


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden(path: Path) -> None:
    expected_path = path.with_suffix(".json")
    actual = _result(path)
    if os.environ.get("GOLDEN_UPDATE") == "1":
        text = json.dumps(actual, ensure_ascii=False, indent=2) + "\n"
        expected_path.write_text(text, encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_string_is_nfc(path: Path) -> None:
    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    for text in strings(_result(path)):
        assert unicodedata.is_normalized("NFC", text)
