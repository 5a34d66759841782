"""Inline keyboards from (label, callback_data) rows; the data comes from tgbot.callbacks."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tgbot.callbacks import Button, Callback, encode


def button(label: str, callback: Callback) -> Button:
    """One button: its label and the codec's data."""
    return label, encode(callback)


def markup(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """PTB markup from (label, callback_data) rows; None removes the keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def bot_api_markup(rows: list[list[Button]]) -> dict[str, object]:
    """The same keyboard as Bot API JSON, for a message queued in the outbox."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }
