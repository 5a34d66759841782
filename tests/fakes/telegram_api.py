"""A fake Telegram Bot API server (aiohttp, loopback) for driving the real PTB client in tests.

Usage::

    async with FakeTelegram() as fake:
        app = ApplicationBuilder().token(fake.token).base_url(fake.base_url)
              .base_file_url(fake.base_file_url).build()
        officer = fake.user(1001, "Lan")
        fake.inject_command(officer, "/start")
        [reply] = await fake.wait_for_call("sendMessage")

Calls are recorded (except ``getUpdates``) once answered; ``wait_for_call`` waits for successful
calls of one method. The Bot API methods themselves live in ``telegram_api_methods.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterable
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.telegram_api_inject import InjectHelpers
from tests.fakes.telegram_api_methods import (
    DEFAULT_TOKEN,
    ApiError,
    Call,
    FakeChat,
    FakeUser,
    StoredFile,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "StoredFile",
]

_NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
_JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "media",
    "allowed_updates",
    "reply_parameters",
    "link_preview_options",
    "commands",
    "scope",
}
_INT_FIELDS = {
    "message_id",
    "offset",
    "limit",
    "timeout",
    "from_chat_id",
    "reply_to_message_id",
    "cache_time",
    "message_thread_id",
    "max_connections",
}
_BOOL_FIELDS = {
    "drop_pending_updates",
    "show_alert",
    "disable_notification",
    "protect_content",
    "disable_web_page_preview",
    "allow_sending_without_reply",
    "has_spoiler",
    "supports_streaming",
    "disable_content_type_detection",
    "show_caption_above_media",
}


class FakeTelegram(InjectHelpers):
    """The fake server: lifecycle, routing, long polling, webhook delivery and test helpers."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_id: int = 700000001,
        bot_username: str = "newsdesk_test_bot",
        download_limit: int | None = 20 * 1024 * 1024,
    ) -> None:
        super().__init__(token=token, bot_id=bot_id, bot_username=bot_username)
        self.download_limit = download_limit
        self.updates: list[dict[str, Any]] = []
        self.injected_at: dict[int, float] = {}
        self.webhook: dict[str, Any] | None = None
        # Update types the bot asked for (getUpdates / setWebhook ``allowed_updates``); None
        # is Telegram's default: everything but chat_member and the reaction updates.
        self.allowed_updates: list[str] | None = None
        self.webhook_attempts: list[tuple[int, int]] = []
        self._next_update_id = 1
        self._failures: dict[str, list[tuple[int, str, dict[str, Any] | None]]] = {}
        self._cond = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """The server's root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url``."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Start listening on 127.0.0.1 with a free port."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Release waiting long polls, stop webhook delivery and the server."""
        self._closing = True
        async with self._cond:
            self._cond.notify_all()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ recording
    def calls_to(self, method: str, *, include_failed: bool = False) -> list[Call]:
        """Recorded calls of one method (successful ones unless ``include_failed``)."""
        return [c for c in self.calls if c.method == method and (include_failed or c.ok)]

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` were answered; return them all."""
        try:
            async with asyncio.timeout(timeout):
                async with self._cond:
                    await self._cond.wait_for(lambda: len(self.calls_to(method)) >= count)
        except TimeoutError:
            seen = ", ".join(f"{c.method}{'' if c.ok else '!'}" for c in self.calls) or "none"
            raise AssertionError(
                f"expected {count} x {method} within {timeout}s, "
                f"got {len(self.calls_to(method))}; calls so far: {seen}"
            ) from None
        return self.calls_to(method)

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every injected update was fetched and confirmed by the client."""
        async with asyncio.timeout(timeout), self._cond:
            await self._cond.wait_for(lambda: not self.updates)

    def fail_next(
        self,
        method: str,
        code: int = 429,
        description: str | None = None,
        parameters: dict[str, Any] | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (default: 429 retry_after 1)."""
        if code == 429 and parameters is None:
            parameters = {"retry_after": 1}
        if description is None:
            description = _default_description(code, parameters)
        self._failures.setdefault(method, []).extend([(code, description, parameters)] * times)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._cond:
            self._cond.notify_all()

    # ------------------------------------------------------------------ updates
    def inject_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (assigns ``update_id``) for getUpdates or the webhook."""
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self.updates.append(update)
        self.injected_at[update["update_id"]] = time.perf_counter()
        self._notify_soon()
        return update

    def _notify_soon(self) -> None:
        async def notify() -> None:
            async with self._cond:
                self._cond.notify_all()

        task = asyncio.get_running_loop().create_task(notify())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = params.get("offset") or 0
        limit = params.get("limit") or 100
        timeout = params.get("timeout") or 0
        self._set_allowed(params)

        def confirm() -> bool:
            self.updates = [
                u for u in self.updates if u["update_id"] >= offset and self._wanted(u)
            ]
            return bool(self.updates) or self._closing

        async with self._cond:
            if not confirm() and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._cond.wait_for(confirm)
            self._cond.notify_all()  # confirmed offsets may satisfy wait_until_consumed
        return [] if self._closing else self.updates[:limit]

    # ------------------------------------------------------------------ webhook
    def _set_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        self._set_allowed(params)
        if self._webhook_task is None:
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhooks())
        return True

    def _set_allowed(self, params: dict[str, Any]) -> None:
        """An ``allowed_updates`` list replaces the previous one (absent: kept; [] = default)."""
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self.allowed_updates = list(allowed) or None

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self.allowed_updates is None:
            return kind not in _NOT_BY_DEFAULT
        return kind in self.allowed_updates

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = None
        return True

    async def _deliver_webhooks(self) -> None:
        """POST queued updates one by one to the webhook, retrying like Telegram does."""
        async with aiohttp.ClientSession() as http:
            while not self._closing:
                async with self._cond:
                    await self._cond.wait_for(
                        lambda: self._closing or bool(self.updates and self.webhook)
                    )
                if self._closing or self.webhook is None:
                    return
                update = self.updates[0]
                if not self._wanted(update):  # Telegram never sends a type not asked for
                    self.updates.pop(0)
                    continue
                status = await self._post_update(http, self.webhook, update)
                self.webhook_attempts.append((update["update_id"], status))
                if 200 <= status < 300:
                    self.updates.pop(0)
                    async with self._cond:
                        self._cond.notify_all()
                else:
                    await asyncio.sleep(0.1)

    @staticmethod
    async def _post_update(
        http: aiohttp.ClientSession, hook: dict[str, Any], update: dict[str, Any]
    ) -> int:
        headers = {}
        if hook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        try:
            async with http.post(hook["url"], json=update, headers=headers) as resp:
                return resp.status
        except aiohttp.ClientError:
            return 0

    # ------------------------------------------------------------------ HTTP
    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _read_params(request)
        if method == "getUpdates":
            try:
                result: Any = await self._get_updates(params)
            except ApiError as err:
                return _error_response(err.code, err.description, err.parameters)
            return web.json_response({"ok": True, "result": result})
        call = Call(method=method, params=params, files=files, received_at=time.perf_counter())
        try:
            self._take_failure(method)
            result = await self._dispatch(method, params, files)
        except ApiError as err:
            call.error = err
            await self._record(call)
            return _error_response(err.code, err.description, err.parameters)
        call.result = result
        await self._record(call)
        return web.json_response({"ok": True, "result": result})

    def _take_failure(self, method: str) -> None:
        queue = self._failures.get(method)
        if queue:
            code, description, parameters = queue.pop(0)
            raise ApiError(code, description, parameters)

    async def _dispatch(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if method == "setWebhook":
            return self._set_webhook(params)
        if method == "deleteWebhook":
            return self._delete_webhook(params)
        if method == "getWebhookInfo":
            hook = self.webhook or {}
            return {"url": hook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self.updates)}  # fmt: skip
        handler = self.METHODS.get(method)
        if handler is None:
            raise ApiError(404, f"Not Found: method {method} not faked")
        return handler(self, params, files)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        stored = self.files_by_path.get(request.match_info["path"])
        if stored is None or stored.data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, content_type="application/octet-stream")


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                else:
                    params[key] = value
    return _normalise(params.items()), files


def _normalise(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in items:
        if isinstance(value, str):
            if key in _JSON_FIELDS:
                value = json.loads(value)
            elif key in _INT_FIELDS or (key == "chat_id" and value.lstrip("-").isdigit()):
                value = int(value)
            elif key in _BOOL_FIELDS and value in ("true", "false"):
                value = value == "true"
        out[key] = value
    return out


def _default_description(code: int, parameters: dict[str, Any] | None) -> str:
    if code == 429:
        return f"Too Many Requests: retry after {(parameters or {}).get('retry_after', 1)}"
    return {400: "Bad Request", 403: "Forbidden: bot was blocked by the user"}.get(code, "Error")


def _error_response(
    code: int, description: str, parameters: dict[str, Any] | None = None
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)
