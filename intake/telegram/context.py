"""What the officer-side handlers share: database, files, clock, settings, wake-up hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from domain.clock import Clock
from intake.telegram.updates import set_outcome
from review.service import Voice
from storage.db import Database
from storage.files import FileStore

MB = 1024 * 1024


@dataclass
class BotDeps:
    """Shared by every handler of one running bot."""

    db: Database
    files: FileStore
    clock: Clock
    max_download_mb: int = 20
    max_mail_mb: int = 25  # the e-mail intake's limit (NEWSDESK_INTAKE__MAX_MESSAGE_MB)
    draft_quiet_seconds: float = 1.5
    invite_valid_days: int = 7
    contact_email: str = ""
    default_author: str = ""  # an article's author when its unit is unknown (the department)
    public_base_url: str = ""  # for /dangnhap links to the web console
    wake_outbox: Callable[[], None] = lambda: None
    wake_cards: Callable[[], None] = lambda: None
    wake_publisher: Callable[[], None] = lambda: None
    preview: Callable[[AsyncSession, Any], Awaitable[str]] | None = None
    handled: set[int] = field(default_factory=set)  # update ids whose outcome is written
    voice: Voice = field(default_factory=Voice)  # who signs notices to submitters

    @property
    def mail_file_mb(self) -> int:
        """The largest file a mail within the limit can carry (base64 adds a third)."""
        return self.max_mail_mb * 3 // 4

    @property
    def max_download_bytes(self) -> int:
        """Largest file the bot may fetch through getFile."""
        return self.max_download_mb * MB

    async def finish(self, session: AsyncSession, update: Update, outcome: str) -> None:
        """Write the update's outcome in ``session`` and commit (with the handler's effects)."""
        await set_outcome(session=session, update_id=update.update_id, outcome=outcome)
        await session.commit()
        self.handled.add(update.update_id)
