"""The officers' side of the bot: which handler takes which private message, command or
button, registered on the transport (tgbot.bot.TelegramBot) by runtime.telegram."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from intake.telegram.commands import Commands
from intake.telegram.context import BotDeps
from intake.telegram.drafts import Drafts
from intake.telegram.login import LoginCommand
from intake.telegram.onboarding import Onboarding
from intake.telegram.submit import Submitter
from tgbot.bot import App, TelegramBot
from tgbot.callbacks import Consent, DraftButton, ReviseSubmission
from tgbot.outcomes import Kind, Outcome
from tgbot.presses import PressHandler
from tgbot.updates import with_outcome


class OfficerHandlers:
    """Onboarding, drafts, sending, /trangthai, /huongdan, /huy and /dangnhap."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps
        self.drafts = Drafts(deps)
        self.onboarding = Onboarding(deps)

    def register(self, bot: TelegramBot) -> None:
        """Private-chat handlers, and showing open drafts again after a restart."""
        onboarding, commands = self.onboarding, Commands(self.deps)
        submitter = Submitter(self.deps)
        private = filters.ChatType.PRIVATE
        bot.add_handlers(
            [
                # first: an edit is not a new message (nor a new command or onboarding answer)
                MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, self._private_edit),
                CommandHandler("start", onboarding.start, filters=private),
                CommandHandler(["trangthai", "status"], commands.status, filters=private),
                CommandHandler(["huongdan", "help"], commands.help, filters=private),
                CommandHandler("dangnhap", LoginCommand(self.deps).login, filters=private),
                CommandHandler("huy", self.drafts.cancel, filters=private),
                MessageHandler(private & filters.CONTACT, onboarding.contact),
                MessageHandler(private & ~filters.COMMAND, self._private_message),
                PressHandler(onboarding.consent, Consent),
                PressHandler(submitter.send, DraftButton.SEND),
                PressHandler(self.drafts.cancel, DraftButton.CANCEL),
                PressHandler(self.drafts.bind_revision, ReviseSubmission),
            ]
        )
        bot.on_start(self.resume_drafts)

    async def _private_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self.onboarding.edited(update):
            await self.drafts.on_edit(update, context)

    async def _private_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self.onboarding.step(update, context):
            await self.drafts.on_message(update, context)

    async def resume_drafts(self, app: App) -> None:
        """Open drafts survive restarts: show their summary again."""
        async with self.deps.db.session() as session:
            rows = await with_outcome(session=session, kind=Kind.DRAFT)
        users: set[tuple[int, int]] = set()
        for row in rows:
            outcome = Outcome.decode(row.outcome)
            chat_id = (row.raw.get("message") or {}).get("chat", {}).get("id")
            if outcome is not None and outcome.kind == Kind.DRAFT and chat_id is not None:
                users.add((outcome.user_id, int(chat_id)))
        for user_id, chat_id in users:
            # through the user's summary timer: a replayed message of the same draft
            # scheduled one already, and the officer must see one summary, not two
            self.drafts.summary_after(app.job_queue, user_id, chat_id, 0)
