"""Helpers that inject users' messages and button presses into the fake Telegram server."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.fakes.telegram_api_methods import BotMethods, FakeChat, FakeUser

_ids = itertools.count(1)


class InjectHelpers(BotMethods):
    """Builds Telegram updates as a user would cause them; each returns the injected update."""

    def inject_update(self, payload: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError  # provided by FakeTelegram

    def _user_message(
        self,
        user: FakeUser,
        fields: dict[str, Any],
        *,
        chat: FakeChat | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        chat_id = chat.id if chat else user.id
        if reply_to is not None:
            fields["reply_to_message"] = {k: v for k, v in reply_to.items()
                                          if k != "reply_to_message"}  # fmt: skip
        message = self.store_message(chat_id, user.to_dict(), fields)
        return self.inject_update({"message": message})

    def inject_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: FakeChat | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A text message; a leading ``/cmd`` gets its ``bot_command`` entity."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._user_message(user, fields, chat=chat, reply_to=reply_to)

    def inject_edit(
        self, sent: dict[str, Any], *, text: str | None = None, caption: str | None = None
    ) -> dict[str, Any]:
        """The user edits a message of an injected update: Telegram sends ``edited_message``
        with the same chat and message_id, the new text or caption, and an ``edit_date``."""
        message = dict(sent.get("message") or sent["edited_message"])
        if text is not None:
            message["text"] = text
        if caption is not None:
            message["caption"] = caption
        message["edit_date"] = int(time.time())
        return self.inject_update({"edited_message": message})

    def inject_command(
        self, user: FakeUser, command: str, args: str = "", *, chat: FakeChat | None = None
    ) -> dict[str, Any]:
        """A command such as ``/start`` with optional arguments."""
        text = f"{command} {args}" if args else command
        return self.inject_text(user, text, chat=chat)

    def inject_photo(
        self,
        user: FakeUser,
        data: bytes = b"\xff\xd8\xff fake jpeg",
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        file_size: int | None = None,
        chat: FakeChat | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A photo (one PhotoSize) whose bytes can be downloaded through getFile."""
        stored = self.add_file(data, kind="photos", file_size=file_size)
        fields = {
            "photo": [stored.to_dict()],
            "caption": caption,
            "media_group_id": media_group_id,
        }
        return self._user_message(user, fields, chat=chat, reply_to=reply_to)

    def inject_album(
        self,
        user: FakeUser,
        photos: list[bytes],
        *,
        caption: str | None = None,
        chat: FakeChat | None = None,
    ) -> list[dict[str, Any]]:
        """An album: one update per photo sharing a ``media_group_id``; caption on the first."""
        group_id = f"album{next(_ids)}{time.monotonic_ns()}"
        return [
            self.inject_photo(
                user, data, caption=caption if i == 0 else None, media_group_id=group_id, chat=chat
            )
            for i, data in enumerate(photos)
        ]

    def inject_document(
        self,
        user: FakeUser,
        data: bytes | None,
        *,
        file_name: str = "baiviet.docx",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        file_size: int | None = None,
        media_group_id: str | None = None,
        chat: FakeChat | None = None,
    ) -> dict[str, Any]:
        """A document; ``data=None`` with a ``file_size`` fakes a file too big to download."""
        extra = {"file_name": file_name, "mime_type": mime_type}
        stored = self.add_file(data, kind="documents", file_size=file_size, **extra)
        fields = {
            "document": stored.to_dict(),
            "caption": caption,
            "media_group_id": media_group_id,
        }
        return self._user_message(user, fields, chat=chat)

    def inject_video(
        self,
        user: FakeUser,
        data: bytes | None,
        *,
        file_name: str = "video.mp4",
        caption: str | None = None,
        file_size: int | None = None,
        media_group_id: str | None = None,
        chat: FakeChat | None = None,
    ) -> dict[str, Any]:
        """A video (``data=None`` plus ``file_size`` fakes one over the download limit)."""
        extra = {"file_name": file_name, "mime_type": "video/mp4"}
        stored = self.add_file(data, kind="videos", file_size=file_size, **extra)
        fields = {"video": stored.to_dict(), "caption": caption, "media_group_id": media_group_id}
        return self._user_message(user, fields, chat=chat)

    def inject_contact(
        self,
        user: FakeUser,
        phone_number: str,
        *,
        contact_user_id: int | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """A shared contact; by default the user's own (``user_id`` = the sender)."""
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or user.first_name,
            "user_id": user.id if contact_user_id is None else contact_user_id,
        }
        return self._user_message(user, {"contact": contact})

    def press(self, user: FakeUser, message: dict[str, Any], data: str) -> dict[str, Any]:
        """A press on an inline button of a stored bot ``message`` carrying ``data``."""
        query_id = f"{next(_ids)}{time.monotonic_ns() % 10**9}"
        self.callback_queries[query_id] = False
        current = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        query = {
            "id": query_id,
            "from": user.to_dict(),
            "chat_instance": f"ci{message['chat']['id']}",
            "data": data,
            "message": current,
        }
        return self.inject_update({"callback_query": query})

    def button_data(self, message: dict[str, Any]) -> list[str]:
        """All ``callback_data`` values of a stored message's current inline keyboard."""
        current = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        rows = (current.get("reply_markup") or {}).get("inline_keyboard", [])
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]
