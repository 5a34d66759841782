"""The publication lifecycle table (domain/states.py), its diagram, and the worker's handlers."""

from __future__ import annotations

import itertools
import re

import pytest

from domain.errors import IllegalPublicationMoveError, NewsdeskError
from domain.states import (
    PUBLICATION_ACTIVE,
    PUBLICATION_TRANSITIONS,
    PublicationStatus,
    can_move_publication,
    check_publication_move,
)
from publisher.steps import HANDLERS
from tests.support.paths import ROOT

P = PublicationStatus

# The lifecycle as docs/zalo.md tells it, written out move by move (not derived from the table).
EXPECTED = {
    (P.QUEUED, P.CREATING),
    (P.QUEUED, P.PUBLISHED),
    (P.CREATING, P.CREATED),
    (P.CREATING, P.VERIFIED),
    (P.CREATED, P.VERIFIED),
    (P.VERIFIED, P.BROADCASTING),
    (P.VERIFIED, P.PUBLISHED),
    (P.BROADCASTING, P.BROADCAST),
    (P.BROADCASTING, P.VERIFIED),
    (P.BROADCASTING, P.PUBLISHED),
    (P.BROADCAST, P.PUBLISHED),
    (P.PUBLISHED, P.VERIFIED),
    *((s, P.FAILED) for s in (P.QUEUED, P.CREATING, P.CREATED, P.VERIFIED)),
    *((s, P.FAILED) for s in (P.BROADCASTING, P.BROADCAST)),
    *((P.FAILED, s) for s in (P.QUEUED, P.CREATING, P.CREATED, P.VERIFIED)),
    *((P.FAILED, s) for s in (P.BROADCASTING, P.BROADCAST)),
    *((s, P.REMOVED) for s in P if s is not P.REMOVED),
}


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED))
def test_every_allowed_move_is_allowed(current: P, target: P) -> None:
    assert can_move_publication(current, target)
    assert can_move_publication(current.value, target.value)  # as stored
    check_publication_move(1, current, target)  # no error


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in itertools.product(P, P) if pair not in EXPECTED],
)
def test_every_other_move_is_refused_with_a_deliberate_error(current: P, target: P) -> None:
    assert not can_move_publication(current, target)
    with pytest.raises(IllegalPublicationMoveError) as caught:
        check_publication_move(7, current, target)
    assert isinstance(caught.value, NewsdeskError)
    assert (caught.value.publication_id, caught.value.current, caught.value.target) == (
        7,
        current.value,
        target.value,
    )


def test_the_table_is_exactly_the_documented_lifecycle() -> None:
    assert set(PUBLICATION_TRANSITIONS) == EXPECTED


def test_removed_is_final_and_nothing_stays_in_place() -> None:
    assert not any(current is P.REMOVED for current, _ in PUBLICATION_TRANSITIONS)
    assert not any(current is target for current, target in PUBLICATION_TRANSITIONS)


def test_an_unknown_status_is_not_a_move() -> None:
    with pytest.raises(ValueError):
        can_move_publication("queued", "deleted")


def test_mermaid_diagram_lists_exactly_the_transition_table() -> None:
    text = (ROOT / "domain" / "publication_states.mmd").read_text()
    edges = {tuple(m) for m in re.findall(r"^\s*(\w+) --> (\w+)\s*$", text, flags=re.M)}
    assert edges == {(a.value, b.value) for a, b in PUBLICATION_TRANSITIONS}


def test_docs_draw_the_same_lifecycle() -> None:
    """docs/zalo.md's diagram has the table's moves (its FAILED and REMOVED edges summarised)."""
    text = (ROOT / "docs" / "zalo.md").read_text()
    drawn = {tuple(m) for m in re.findall(r"^\s*(\w+) --> (\w+)", text, flags=re.M)}
    assert drawn <= {(a.value, b.value) for a, b in PUBLICATION_TRANSITIONS}
    summarised = {
        (a, b) for a, b in PUBLICATION_TRANSITIONS if P.FAILED in (a, b) or b is P.REMOVED
    }
    assert {(a.value, b.value) for a, b in PUBLICATION_TRANSITIONS - summarised} <= drawn


def test_the_worker_has_a_step_for_every_active_state_and_no_other() -> None:
    assert set(HANDLERS) == set(PUBLICATION_ACTIVE)


def test_every_status_and_move_reads_in_vietnamese() -> None:
    """`publish list`, the console and `review show`'s audit trail label every state."""
    from domain.glossary import PUBLICATION_STATUS_LABELS
    from review.texts import AUDIT_ACTIONS

    assert set(PUBLICATION_STATUS_LABELS) == {s.value for s in P}
    assert {f"publication.{s.value}" for s in P} <= set(AUDIT_ACTIONS)
