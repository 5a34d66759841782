"""Snapshot tests of every rendered text (tests/golden/texts/<name>.txt).

A change to a text shows up as a failing test with the difference; after reading it, regenerate
the files explicitly: `pytest tests/unit/test_snapshots.py --update-snapshots`. A missing
snapshot fails too (never written silently).
"""

from __future__ import annotations

import unicodedata

import pytest

from tests.support.paths import GOLDEN
from tests.support.rendered import rendered

SNAPSHOTS = GOLDEN / "texts"
TEXTS = rendered()


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_rendered_text_matches_its_snapshot(name: str, request: pytest.FixtureRequest) -> None:
    text = TEXTS[name]
    assert unicodedata.is_normalized("NFC", text)
    path = SNAPSHOTS / f"{name}.txt"
    if request.config.getoption("--update-snapshots"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path.name}: run pytest with --update-snapshots"
    assert text + "\n" == path.read_text(encoding="utf-8")


def test_every_snapshot_file_is_still_rendered() -> None:
    stale = {p.stem for p in SNAPSHOTS.glob("*.txt")} - set(TEXTS)
    assert not stale, f"snapshots without a rendered text: {sorted(stale)}"
