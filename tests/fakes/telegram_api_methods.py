"""Bot API methods of the fake Telegram server: message store, file store, per-method handlers."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

DEFAULT_TOKEN = "123456:TEST-TOKEN"


class ApiError(Exception):
    """An error answer: HTTP status ``code``, ``description``, optional ``parameters``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass
class Call:
    """One answered Bot API call (``error`` set when the fake answered with an error)."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    received_at: float
    result: Any = None
    error: ApiError | None = None

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.error is None


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user; its private chat has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "vi"

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class FakeChat:
    """A group or supergroup chat (negative id)."""

    id: int
    title: str
    type: str = "supergroup"

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object."""
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class StoredFile:
    """A file the fake can hand out by ``file_id``; ``data`` None means not downloadable."""

    file_id: str
    file_unique_id: str
    file_size: int
    file_path: str
    data: bytes | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A ``PhotoSize``/``Document``-like object (without ``file_path``)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            **self.extra,
        }


Handler = Callable[["BotMethods", dict[str, Any], dict[str, bytes]], Any]
_REQUIRED_EXTRA: dict[str, dict[str, Any]] = {
    "photos": {"width": 1280, "height": 960},
    "videos": {"width": 1280, "height": 720, "duration": 30},
}


class BotMethods:
    """State and handlers for every faked Bot API method except updates and webhooks."""

    METHODS: ClassVar[dict[str, Handler]] = {}
    download_limit: int | None

    def __init__(self, *, token: str, bot_id: int, bot_username: str) -> None:
        self.token = token
        self.bot = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Newsdesk",
            "username": bot_username,
        }
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.commands: list[dict[str, Any]] = []
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self._background: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ stores
    def user(self, id: int, first_name: str, **kwargs: Any) -> FakeUser:
        """Create a user and remember its private chat."""
        user = FakeUser(id, first_name, **kwargs)
        chat = {"id": id, "type": "private", "first_name": first_name}
        if user.username:
            chat["username"] = user.username
        self.chats[id] = chat
        return user

    def group(self, id: int, title: str) -> FakeChat:
        """Create a group chat (e.g. the editors' chat)."""
        chat = FakeChat(id, title)
        self.chats[id] = chat.to_dict()
        return chat

    def add_file(
        self, data: bytes | None, *, kind: str = "documents", file_size: int | None = None,
        **extra: Any,
    ) -> StoredFile:  # fmt: skip
        """Register a file; ``file_size`` may exceed ``len(data)`` to fake a huge file."""
        n = next(self._file_ids)
        extra = {**_REQUIRED_EXTRA.get(kind, {}), **extra}
        digest = hashlib.sha256(data or str(n).encode()).hexdigest()[:16]
        size = file_size if file_size is not None else len(data or b"")
        ext = {"photos": "jpg", "videos": "mp4"}.get(kind, "bin")
        stored = StoredFile(
            f"FILE{n}-{digest}", f"U{n}", size, f"{kind}/file_{n}.{ext}", data, extra
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A stored message (user's or bot's)."""
        return self.messages[(chat_id, message_id)]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot has in ``chat_id``, oldest first."""
        return [
            m
            for (cid, _), m in sorted(self.messages.items())
            if cid == chat_id and m["from"]["id"] == self.bot["id"]
        ]

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return self.chats[chat_id]

    def store_message(
        self, chat_id: int, sender: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Store a new message in ``chat_id`` from ``sender`` and return it."""
        chat = self._chat(chat_id)
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        message: dict[str, Any] = {
            "message_id": next(counter),
            "date": int(time.time()),
            "chat": chat,
        }
        message["from"] = sender
        message.update({k: v for k, v in fields.items() if v is not None})
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _bot_message(self, params: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        chat = self._chat(chat_id)  # type: ignore[arg-type]
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or params.get("reply_to_message_id")
        if reply_id:
            original = self.messages.get((chat["id"], reply_id))
            if original is None:
                raise ApiError(400, "Bad Request: message to be replied not found")
            fields["reply_to_message"] = {k: v for k, v in original.items()
                                          if k != "reply_to_message"}  # fmt: skip
        markup = params.get("reply_markup")
        if markup and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        return self.store_message(chat["id"], self.bot, fields)

    def _resolve_media(self, value: Any, files: dict[str, bytes], kind: str) -> StoredFile:
        if isinstance(value, str) and value.startswith("attach://"):
            return self.add_file(files[value.removeprefix("attach://")], kind=kind)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.add_file(None, kind=kind, file_size=0)
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _edit_target(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if params.get("inline_message_id"):
            return None
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))  # type: ignore[arg-type]
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _apply_edit(self, message: dict[str, Any], params: dict[str, Any], **fields: Any) -> None:
        markup = params.get("reply_markup")
        new_markup = markup if markup and "inline_keyboard" in markup else None
        changed = any(message.get(k) != v for k, v in fields.items())
        if not changed and message.get("reply_markup") == new_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.update(fields)
        message["edit_date"] = int(time.time())
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for Bot API method ``name``."""

    def register(func: Handler) -> Handler:
        BotMethods.METHODS[name] = func
        return func

    return register


@method("getMe")
def _get_me(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    return {**self.bot, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}  # fmt: skip


@method("setMyCommands")
def _set_my_commands(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    self.commands = params.get("commands", [])
    return True


@method("getMyCommands")
def _get_my_commands(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    return self.commands


@method("deleteMyCommands")
@method("sendChatAction")
def _true(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    return True


@method("answerCallbackQuery")
def _answer_callback(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    query_id = params.get("callback_query_id")
    if self.callback_queries.get(query_id, True):  # type: ignore[arg-type]
        raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                            "query ID is invalid")  # fmt: skip
    self.callback_queries[query_id] = True  # type: ignore[index]
    return True


@method("sendMessage")
def _send_message(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    if not params.get("text"):
        raise ApiError(400, "Bad Request: message text is empty")
    return self._bot_message(params, {"text": params["text"], "entities": params.get("entities")})


def _send_media(kind: str, plural: str) -> Handler:
    def send(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if kind in files:
            stored = self.add_file(files[kind], kind=plural)
        else:
            stored = self._resolve_media(params.get(kind), files, plural)
        media: Any = [stored.to_dict()] if kind == "photo" else stored.to_dict()
        return self._bot_message(params, {kind: media, "caption": params.get("caption")})

    return send


for _kind, _plural in (("photo", "photos"), ("video", "videos"), ("document", "documents")):
    method(f"send{_kind.capitalize()}")(_send_media(_kind, _plural))


@method("sendMediaGroup")
def _send_media_group(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    items = params.get("media") or []
    if not 2 <= len(items) <= 10:
        raise ApiError(400, "Bad Request: wrong number of media in the album")
    group_id = f"G{time.monotonic_ns()}"
    sent = []
    for item in items:
        kind = item["type"]
        stored = self._resolve_media(item["media"], files, f"{kind}s")
        media: Any = [stored.to_dict()] if kind == "photo" else stored.to_dict()
        fields = {kind: media, "caption": item.get("caption"), "media_group_id": group_id}
        sent.append(self._bot_message(params, fields))
    return sent


@method("editMessageText")
def _edit_text(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    message = self._edit_target(params)
    if message is None:
        return True
    if not params.get("text"):
        raise ApiError(400, "Bad Request: message text is empty")
    self._apply_edit(message, params, text=params["text"], entities=params.get("entities"))
    return message


@method("editMessageCaption")
def _edit_caption(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    message = self._edit_target(params)
    if message is None:
        return True
    self._apply_edit(message, params, caption=params.get("caption"))
    return message


@method("editMessageReplyMarkup")
def _edit_markup(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    message = self._edit_target(params)
    if message is None:
        return True
    self._apply_edit(message, params)
    return message


@method("deleteMessage")
def _delete_message(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    if self.messages.pop((params.get("chat_id"), params.get("message_id")), None) is None:  # type: ignore[arg-type]
        raise ApiError(400, "Bad Request: message to delete not found")
    return True


@method("getFile")
def _get_file(self: BotMethods, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    stored = self.files.get(params.get("file_id", ""))
    if stored is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    if self.download_limit is not None and stored.file_size > self.download_limit:
        raise ApiError(400, "Bad Request: file is too big")
    return {**stored.to_dict(), "file_path": stored.file_path}
