"""What the officer-side handlers share: database, files, clock, settings, wake-up hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from domain.clock import Clock
from storage.db import Database
from storage.files import FileStore
from tgbot.bot import Finisher
from tgbot.outcomes import Outcome

MB = 1024 * 1024


@dataclass
class BotDeps:
    """Shared by every officer handler of one running bot."""

    db: Database
    files: FileStore
    clock: Clock
    max_download_mb: int = 20
    max_mail_mb: int = 25  # the e-mail intake's limit (NEWSDESK_INTAKE__MAX_MESSAGE_MB)
    draft_quiet_seconds: float = 1.5
    invite_valid_days: int = 7
    contact_email: str = ""
    public_base_url: str = ""  # for /dangnhap links to the web console
    wake_outbox: Callable[[], None] = lambda: None
    wake_cards: Callable[[], None] = lambda: None
    finisher: Finisher = field(default_factory=Finisher)  # shared with the bot's update log

    @property
    def mail_file_mb(self) -> int:
        """The largest file a mail within the limit can carry (base64 adds a third)."""
        return self.max_mail_mb * 3 // 4

    @property
    def max_download_bytes(self) -> int:
        """Largest file the bot may fetch through getFile."""
        return self.max_download_mb * MB

    async def finish(self, session: AsyncSession, update: Update, outcome: Outcome) -> None:
        """Write the update's outcome in ``session`` and commit (with the handler's effects)."""
        await self.finisher.finish(session, update, outcome)
