"""Composition: what officers sent, as the article citizens read (pure: no I/O).

Intake keeps what was sent; `compose()` decides what is published. It depends only on
`domain/`. See docs/article.md.
"""

from compose.blocks import body_text, parse_body
from compose.draft import compose
from compose.model import Block, Contacts, Draft, Edit, Item, Segment, Source, SourceFile

__all__ = [
    "Block",
    "Contacts",
    "Draft",
    "Edit",
    "Item",
    "Segment",
    "Source",
    "SourceFile",
    "body_text",
    "compose",
    "parse_body",
]
