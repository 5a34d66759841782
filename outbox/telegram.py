"""Telegram delivery through PTB's Bot: messages, documents, and flood-control answers."""

from __future__ import annotations

import io
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from domain.errors import RejectedError, TransientError
from storage.files import FileStore
from storage.models import OutboxMessage
from tgbot.flood import retry_seconds


def _markup(meta: dict[str, Any], bot: Bot) -> InlineKeyboardMarkup | None:
    raw = meta.get("reply_markup")
    return InlineKeyboardMarkup.de_json(raw, bot) if raw else None


class TelegramSender:
    """Sends outbox rows of channel `telegram`; the recipient is a chat id."""

    channel = "telegram"

    def __init__(self, bot: Bot, *, files: FileStore | None = None) -> None:
        self.bot = bot
        self.files = files

    async def send(self, message: OutboxMessage) -> dict[str, Any]:
        try:
            return await self._send(message)
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            raise TransientError("Telegram flood control", retry_after=seconds) from exc
        except Forbidden as exc:
            raise RejectedError(f"Telegram refused: {exc.message}") from exc
        except BadRequest as exc:
            raise RejectedError(f"Telegram bad request: {exc.message}") from exc
        except (NetworkError, TelegramError) as exc:
            raise TransientError(f"Telegram unavailable: {exc.message}") from exc

    async def _send(self, message: OutboxMessage) -> dict[str, Any]:
        chat_id = int(message.recipient)
        meta = message.meta or {}
        markup = _markup(meta, self.bot)
        reply_to = meta.get("reply_to_message_id")
        parse_mode = meta.get("parse_mode")
        sent = await self.bot.send_message(
            chat_id=chat_id,
            text=message.body,
            reply_markup=markup,
            parse_mode=parse_mode,
            reply_to_message_id=reply_to,
            disable_web_page_preview=True,
        )
        result: dict[str, Any] = {"chat_id": chat_id, "message_id": sent.message_id}
        for item in message.attachments:
            if self.files is None:
                raise RejectedError("attachments need a file store")
            data = self.files.read(str(item["sha256"]))
            doc = await self.bot.send_document(
                chat_id=chat_id,
                document=io.BytesIO(data),
                filename=str(item.get("filename", "tep-dinh-kem")),
            )
            result.setdefault("documents", []).append(doc.message_id)
        return result
