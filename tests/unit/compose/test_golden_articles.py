"""The article golden set: each submission of tests/golden/articles/cases.py gives the
draft an editor would publish (hand-written expectations) and the recorded JSON beside it."""

from __future__ import annotations

import json
import os
import unicodedata

import pytest

from compose import Draft, compose
from mime.parse import parse_message
from sources.stored import source_of_message
from tests.golden.articles.cases import CASES, OFFICERS, Case
from tests.support.paths import GOLDEN

EXPECTED = GOLDEN / "articles" / "expected"
PREVIOUS = "Tiêm chủng vắc xin sởi cho trẻ em"


def draft_of(case: Case) -> Draft:
    if case.source is not None:
        return compose(case.source())
    assert case.eml is not None
    parsed = parse_message(case.eml())
    revision = case.name.startswith("rev-mail")
    return compose(
        source_of_message(
            parsed,
            author="Sở Y tế",
            protected=OFFICERS,
            previous_title=PREVIOUS if revision else "",
            answers_request=revision,
        )
    )


def published(draft: Draft) -> str:
    parts = [draft.title, draft.description]
    parts += [item.content or item.caption for item in draft.body]
    return "\n".join(parts)


def test_the_set_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_expectations(case: Case) -> None:
    draft = draft_of(case)
    e = case.expect
    text = published(draft)
    if "title" in e:
        assert draft.title == (PREVIOUS if e["title"] == "__previous__" else e["title"])
    for word in e.get("absent_title", []):
        assert word not in draft.title
    if "summary" in e:
        assert draft.description == e["summary"]
    assert draft.description != draft.title or not draft.title
    assert not draft.description.startswith(("Kính gửi", "Kính thưa", "Xin gửi"))
    if "summary_max" in e:
        assert len(draft.description) <= e["summary_max"]
    if "summary_ends" in e:
        assert draft.description.endswith(e["summary_ends"])
    if "title_max" in e:
        assert len(draft.title) <= e["title_max"]
    for line in e.get("letter", []):
        assert line in draft.letter
    if e.get("letter") == []:
        assert draft.letter == ""
    for word in e.get("absent", []):
        assert word not in text, word
    for word in e.get("present", []):
        assert word in text, word
    for warning in e.get("warnings", []):
        assert any(warning in w for w in draft.warnings), (warning, draft.warnings)
    texts = [i.content for i in draft.body if i.type == "text"]
    if "body_texts" in e:
        assert len(texts) == e["body_texts"], texts
    for item in e.get("items", []):
        assert item in texts
    headings = [i.content for i in draft.body if i.type == "heading"]
    for heading in e.get("headings", []):
        assert heading in headings, headings
    if "first_item" in e:
        assert draft.body[0].content == e["first_item"]
    if "cover" in e:
        assert draft.cover == e["cover"]
    images = [i.name for i in draft.body if i.type == "image"]
    if "images" in e:
        assert images == e["images"]
        assert draft.cover not in images
    captions = {i.name: i.caption for i in draft.body if i.type == "image"}
    for name, caption in e.get("captions", {}).items():
        assert captions[name] == caption
    for phrase in e.get("once", []):
        assert text.count(phrase) == 1, phrase


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_recorded_draft(case: Case) -> None:
    actual = draft_of(case).to_json()
    path = EXPECTED / f"{case.name}.json"
    if os.environ.get("GOLDEN_UPDATE") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", "utf-8")
    assert actual == json.loads(path.read_text("utf-8"))
    for value in json.dumps(actual, ensure_ascii=False):
        assert unicodedata.is_normalized("NFC", value)
