"""One INFO line per event a person may ask about (stored, quarantined, decided, published,
reminded, reported): `<event> key=value ...` with codes and ids, never a secret, an address,
a phone number or a name. The log's own timestamp carries the time zone (runtime/logs.py)."""

from __future__ import annotations


def event_line(event: str, **fields: object) -> str:
    """ "submission.stored code=2026-12-0001 unit=so-y-te channel=email"; empty fields left out."""
    parts = [f"{key}={value}" for key, value in fields.items() if value not in (None, "")]
    return " ".join([event, *parts])


def actor_id(actor: str) -> str:
    """An audit actor without a person's name: "editor:3" stays, "cli:Hà" becomes "cli"."""
    kind, _, rest = actor.partition(":")
    return actor if rest.isdigit() else kind
