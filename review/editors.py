"""Who may press review buttons: registered, active editors, cached briefly.

Every press needs this answer before anything else; the registry changes rarely, so a short
cache saves a database round trip on the editors' hot path. A removed editor keeps the power
for at most ``ttl`` seconds.
"""

from __future__ import annotations

import time

from storage.db import Database
from storage.models import Editor
from storage.registry import get_editor_by_telegram


class EditorCache:
    """Telegram user id -> active Editor (or None), remembered for ``ttl`` seconds."""

    def __init__(self, db: Database, *, ttl: float = 30.0) -> None:
        self.db = db
        self.ttl = ttl
        self._seen: dict[int, tuple[float, Editor | None]] = {}

    async def get(self, telegram_user_id: int) -> Editor | None:
        """The active editor with this Telegram id, if any."""
        now = time.monotonic()
        hit = self._seen.get(telegram_user_id)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        async with self.db.session() as session:
            editor = await get_editor_by_telegram(
                session=session, telegram_user_id=telegram_user_id
            )
            if editor is not None:
                session.expunge(editor)
        self._seen[telegram_user_id] = (now, editor)
        return editor
