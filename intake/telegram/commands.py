"""/trangthai (this month's submissions of the officer's unit) and /huongdan (help)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import ContextTypes

from domain.glossary import NO_TITLE
from domain.periods import period_of
from domain.states import STATUS_LABELS, SubmissionStatus
from intake.telegram import texts
from intake.telegram.context import BotDeps
from storage.models import Submission, Unit
from storage.registry import get_officer_by_telegram
from storage.submissions import list_submissions
from tgbot import outcomes

MAX_LINES = 40


class Commands:
    """Status and help for officers."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The unit's submissions this month (Asia/Ho_Chi_Minh) with their states."""
        message, user = update.effective_message, update.effective_user
        assert message is not None and user is not None
        now = self.deps.clock.now()
        period = period_of(now)
        async with self.deps.db.session() as session:
            officer = await get_officer_by_telegram(
                session=session, telegram_user_id=user.id, active_at=now
            )
            if officer is None:
                text = texts.NOT_LINKED
            else:
                unit = await session.get(Unit, officer.unit_id)
                subs = await list_submissions(
                    session=session, unit_id=officer.unit_id, period=period
                )
                text = self._render(period, unit.name if unit else "", subs)
            await self.deps.finish(session, update, outcomes.DONE)
        await message.reply_text(text)

    @staticmethod
    def _render(period: str, unit: str, subs: Sequence[Submission]) -> str:
        shown = f"{period[5:]}/{period[:4]}"
        if not subs:
            return texts.STATUS_EMPTY.format(period=shown, unit=unit)
        lines = [texts.STATUS_HEADER.format(period=shown, unit=unit)]
        for sub in reversed(subs[:MAX_LINES]):
            title = sub.title or NO_TITLE
            status = STATUS_LABELS[SubmissionStatus(sub.status)]
            lines.append(texts.STATUS_LINE.format(code=sub.code, title=title[:80], status=status))
        return "\n".join(lines)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/huongdan and /help."""
        message = update.effective_message
        assert message is not None
        async with self.deps.db.session() as session:
            await self.deps.finish(session, update, outcomes.DONE)
        await message.reply_text(
            texts.HELP.format(
                limit_mb=self.deps.max_download_mb, mail_file_mb=self.deps.mail_file_mb
            )
        )
