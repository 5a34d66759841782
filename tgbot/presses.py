"""The handler of a button press: chosen by what the codec reads in its data, nothing else."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from tgbot.callbacks import Callback, pattern


class PressHandler(CallbackQueryHandler[Any, Any]):
    """Takes the presses whose data decodes (tgbot.callbacks) to one of ``wanted``.

    PTB's own pattern check hands a press without data (a game button, or a forged update)
    to every pattern handler; this one takes only data the codec knows, so such a press
    goes to the bot's catch-all answer (tgbot.bot) and acts on nothing.
    """

    def __init__(self, callback: Any, *wanted: type | Callback) -> None:
        super().__init__(callback)
        self.accepts = pattern(*wanted)

    def check_update(self, update: object) -> bool | None:
        if not (isinstance(update, Update) and update.callback_query):
            return None
        return self.accepts(update.callback_query.data)
