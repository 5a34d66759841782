"""`serve` with a Telegram token runs the bot component (polling and webhook) on the fake."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from pydantic import SecretStr

from runtime.serve import serve
from settings import Settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.ports import free_port

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration


def telegram_settings(
    fake: FakeTelegram, tmp_path: Path, sqlite_url: str, **extra: object
) -> Settings:
    values: dict[str, object] = {
        "token": SecretStr(fake.token),
        "base_url": fake.base_url,
        "base_file_url": fake.base_file_url,
        "editors_chat_id": -100777,
        "poll_timeout_seconds": 1,
        **extra,
    }
    return Settings(
        data_dir=tmp_path / "data",
        database={"url": sqlite_url},  # type: ignore[arg-type]
        telegram=values,  # type: ignore[arg-type]
        web={"port": free_port()},  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )


@contextlib.asynccontextmanager
async def serving(settings: Settings):  # type: ignore[no-untyped-def]
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, stop=stop, ready=ready))
    await asyncio.wait_for(ready.wait(), 20)
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def test_serve_polls_and_answers_start(
    fake_telegram: FakeTelegram,
    tmp_path: Path,
    sqlite_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stranger = fake_telegram.user(3001, "Khách")
    async with serving(telegram_settings(fake_telegram, tmp_path, sqlite_url)):
        await fake_telegram.wait_for_call("deleteWebhook")
        fake_telegram.inject_command(stranger, "/start")
        [reply] = await fake_telegram.wait_for_call("sendMessage")
        assert "chưa được liên kết" in reply.params["text"]
    out = capsys.readouterr().out
    assert "[on]  Telegram bot (long polling); review cards in chat -100777" in out


async def test_serve_webhook_mode_registers_route_and_secret(
    fake_telegram: FakeTelegram,
    tmp_path: Path,
    sqlite_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = telegram_settings(fake_telegram, tmp_path, sqlite_url, mode="webhook")
    async with serving(settings):
        await asyncio.sleep(0)
    assert "webhook mode needs NEWSDESK_TELEGRAM__WEBHOOK_URL" in capsys.readouterr().out
    port = settings.web.port
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    hooked = telegram_settings(
        fake_telegram,
        tmp_path,
        sqlite_url,
        mode="webhook",
        webhook_url=url,
        webhook_secret=SecretStr("s3cret"),
    )
    hooked = hooked.model_copy(update={"web": settings.web})
    stranger = fake_telegram.user(3001, "Khách")
    async with serving(hooked):
        [hook] = await fake_telegram.wait_for_call("setWebhook")
        assert hook.params["url"] == url and hook.params["secret_token"] == "s3cret"
        fake_telegram.inject_command(stranger, "/start")
        [reply] = await fake_telegram.wait_for_call("sendMessage")
        assert "chưa được liên kết" in reply.params["text"]
    assert "webhook at /telegram/webhook" in capsys.readouterr().out
