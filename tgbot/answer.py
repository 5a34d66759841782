"""Answering a button press, also when it is replayed after a restart.

Telegram accepts an answer to a callback query only for a short while. A press replayed from
the update log after a crash (or handled late) can no longer be answered; the press must still
take effect and be recorded, so that one refusal is logged, not raised.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery
from telegram.error import BadRequest

log = logging.getLogger(__name__)
EXPIRED = ("query is too old", "query id is invalid")


async def answer(
    query: CallbackQuery, text: str | None = None, *, show_alert: bool = False
) -> bool:
    """Answer the press; False (logged) if Telegram says it is too old to answer."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        if not any(part in str(exc).lower() for part in EXPIRED):
            raise
        log.info("callback query %s too old to answer; handled without an answer", query.id)
        return False
    return True
