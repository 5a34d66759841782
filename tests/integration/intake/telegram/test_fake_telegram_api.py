"""Self-tests of the fake Bot API server, driven by a real PTB Application over loopback."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import build_application, build_bot, fake_telegram, running

__all__ = ["fake_telegram"]

pytestmark = pytest.mark.integration


async def test_start_command_and_button_press(fake_telegram: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Duyệt", callback_data="ok:1")]])
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Chào {context.args}", reply_markup=keyboard)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Đã nhận")
        await query.edit_message_text(f"Đã duyệt: {query.data}")

    app = build_application(fake_telegram)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    lan = fake_telegram.user(1001, "Lan")
    async with running(app):
        fake_telegram.inject_command(lan, "/start", "abc")
        [sent] = await fake_telegram.wait_for_call("sendMessage")
        assert sent.params["chat_id"] == 1001
        assert sent.result["text"] == "Chào ['abc']"
        assert fake_telegram.button_data(sent.result) == ["ok:1"]
        fake_telegram.press(lan, sent.result, "ok:1")
        [answer] = await fake_telegram.wait_for_call("answerCallbackQuery")
        [edit] = await fake_telegram.wait_for_call("editMessageText")
    assert answer.params["text"] == "Đã nhận"
    card = fake_telegram.message(1001, sent.result["message_id"])
    assert card["text"] == "Đã duyệt: ok:1"
    assert "reply_markup" not in card  # an edit without reply_markup removes the keyboard
    assert edit.result["edit_date"] >= card["date"]
    assert [c.method for c in fake_telegram.calls][:2] == ["getMe", "deleteWebhook"]


async def test_photo_download_and_upload(fake_telegram: FakeTelegram) -> None:
    received: list[bytes] = []

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        tg_file = await message.photo[-1].get_file()
        assert tg_file.file_path is not None
        assert tg_file.file_path.startswith(fake_telegram.base_file_url)
        data = bytes(await tg_file.download_as_bytearray())
        received.append(data)
        await message.reply_photo(data[::-1], caption=message.caption)

    app = build_application(fake_telegram)
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    lan = fake_telegram.user(1001, "Lan")
    async with running(app):
        fake_telegram.inject_photo(lan, b"JPEG-BYTES", caption="Ảnh hội nghị")
        [sent] = await fake_telegram.wait_for_call("sendPhoto")
    assert received == [b"JPEG-BYTES"]
    assert sent.files["photo"] == b"SETYB-GEPJ"
    assert sent.result["caption"] == "Ảnh hội nghị"
    stored = fake_telegram.files[sent.result["photo"][0]["file_id"]]
    assert stored.data == b"SETYB-GEPJ"


async def test_album_updates_share_media_group_and_bot_sends_media_group(
    fake_telegram: FakeTelegram,
) -> None:
    seen: list[tuple[str | None, str | None]] = []

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        seen.append((update.effective_message.media_group_id, update.effective_message.caption))

    app = build_application(fake_telegram)
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    lan = fake_telegram.user(1001, "Lan")
    async with running(app):
        updates = fake_telegram.inject_album(lan, [b"a", b"b", b"c"], caption="Tin ảnh")
        await fake_telegram.wait_until_consumed()
        media = [
            InputMediaPhoto(b"x"),
            InputMediaPhoto(updates[0]["message"]["photo"][0]["file_id"]),
        ]
        sent = await app.bot.send_media_group(1001, media)
    group_ids = {g for g, _ in seen}
    assert len(seen) == 3 and len(group_ids) == 1 and None not in group_ids
    assert [c for _, c in seen] == ["Tin ảnh", None, None]
    assert len(sent) == 2 and sent[0].media_group_id == sent[1].media_group_id is not None


async def test_errors_surface_as_ptb_exceptions(fake_telegram: FakeTelegram) -> None:
    bot = build_bot(fake_telegram)
    fake_telegram.user(1001, "Lan")
    async with bot:
        fake_telegram.fail_next("sendMessage", 429, parameters={"retry_after": 3})
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(1001, "một")
        assert caught.value.retry_after == timedelta(seconds=3)  # PTB_TIMEDELTA=1 (fixture)
        sent = await bot.send_message(1001, "hai")
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=1001, message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)not modified"):
            await bot.edit_message_text("hai", chat_id=1001, message_id=sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(555, "ba")
        fake_telegram.blocked.add(1001)
        with pytest.raises(Forbidden):
            await bot.send_message(1001, "bốn")
    failed = fake_telegram.calls_to("sendMessage", include_failed=True)
    assert [c.ok for c in failed] == [False, True, False, False]
    assert [c.params["text"] for c in fake_telegram.calls_to("sendMessage")] == ["hai"]


async def test_keyboard_edit_and_removal(fake_telegram: FakeTelegram) -> None:
    bot = build_bot(fake_telegram)
    editors = fake_telegram.group(-100500, "Biên tập")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    async with bot:
        sent = await bot.send_message(editors.id, "Thẻ duyệt", reply_markup=keyboard)
        assert sent.reply_markup == keyboard
        other = InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="b")]])
        await bot.edit_message_reply_markup(editors.id, sent.message_id, reply_markup=other)
        assert fake_telegram.button_data(sent.to_dict()) == ["b"]
        await bot.edit_message_reply_markup(editors.id, sent.message_id)
        assert fake_telegram.button_data(sent.to_dict()) == []
        await bot.delete_message(editors.id, sent.message_id)
    assert fake_telegram.bot_messages(editors.id) == []


async def test_large_file_refused_and_callback_answered_once(fake_telegram: FakeTelegram) -> None:
    bot = build_bot(fake_telegram)
    lan = fake_telegram.user(1001, "Lan")
    big = fake_telegram.inject_video(lan, None, file_size=25 * 1024 * 1024)
    async with bot:
        with pytest.raises(BadRequest, match=r"(?i)file is too big"):
            await bot.get_file(big["message"]["video"]["file_id"])
        fake_telegram.download_limit = None  # a local Bot API server
        assert (await bot.get_file(big["message"]["video"]["file_id"])).file_size == 25 << 20
        sent = await bot.send_message(1001, "card")
        press = fake_telegram.press(lan, sent.to_dict(), "x")
        assert await bot.answer_callback_query(press["callback_query"]["id"])
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(press["callback_query"]["id"])


async def test_long_poll_released_at_shutdown(fake_telegram: FakeTelegram) -> None:
    app = build_application(fake_telegram)
    async with running(app, timeout=30):
        await asyncio.sleep(0.2)  # let the long poll start waiting
    assert not app.running


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    from telegram import Bot

    bot = Bot("999:WRONG", base_url=fake_telegram.base_url)
    with pytest.raises(InvalidToken):
        await bot.initialize()


async def test_wait_for_call_lists_calls_on_timeout(fake_telegram: FakeTelegram) -> None:
    async with build_bot(fake_telegram) as bot:
        await bot.get_me()
        with pytest.raises(AssertionError, match=r"sendMessage.*calls so far: getMe"):
            await fake_telegram.wait_for_call("sendMessage", timeout=0.2)


async def test_webhook_delivery_with_secret(fake_telegram: FakeTelegram) -> None:
    got: list[tuple[str | None, dict[str, Any]]] = []
    statuses = iter([500, 200, 200])

    async def hook(request: web.Request) -> web.Response:
        got.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=next(statuses))

    receiver = web.Application()
    receiver.router.add_post("/tg", hook)
    runner = web.AppRunner(receiver, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/tg"
    try:
        async with build_bot(fake_telegram) as bot:
            await bot.set_webhook(url, secret_token="s3cret")
            with pytest.raises(Exception, match="Conflict"):
                await bot.get_updates()
            lan = fake_telegram.user(1001, "Lan")
            fake_telegram.inject_text(lan, "xin chào")
            await fake_telegram.wait_until_consumed()
            info = await bot.get_webhook_info()
    finally:
        await runner.cleanup()
    assert [secret for secret, _ in got] == ["s3cret", "s3cret"]  # retried after the 500
    assert got[1][1]["message"]["text"] == "xin chào"
    assert info.url == url and info.pending_update_count == 0
    assert [status for _, status in fake_telegram.webhook_attempts] == [500, 200]


async def test_file_download_route_checks_token(fake_telegram: FakeTelegram) -> None:
    stored = fake_telegram.add_file(b"abc", kind="documents")
    async with aiohttp.ClientSession() as http:
        ok = f"{fake_telegram.base_file_url}123456%3ATEST-TOKEN/{stored.file_path}"
        async with http.get(ok) as resp:
            assert resp.status == 200 and await resp.read() == b"abc"
        async with http.get(f"{fake_telegram.base_file_url}bad/{stored.file_path}") as resp:
            assert resp.status == 401


async def test_get_updates_honours_allowed_updates(fake_telegram: FakeTelegram) -> None:
    """Telegram sends only the update types asked for; the list sticks until replaced, and
    by default everything but chat_member and reactions comes."""
    lan = fake_telegram.user(1001, "Lan")
    async with build_bot(fake_telegram) as bot:
        sent = fake_telegram.inject_text(lan, "bản đầu")
        fake_telegram.inject_edit(sent, text="bản sửa")
        fake_telegram.inject_update({"chat_member": {"chat": {"id": 1}}})
        default = await bot.get_updates(timeout=0)
        assert [u.edited_message is not None for u in default] == [False, True]
        fake_telegram.inject_edit(sent, text="bản sửa lần hai")
        fake_telegram.inject_text(lan, "tin mới")
        only = await bot.get_updates(
            offset=default[-1].update_id + 1, timeout=0, allowed_updates=["message"]
        )
        assert [u.message.text for u in only if u.message] == ["tin mới"] and len(only) == 1
        fake_telegram.inject_edit(sent, text="bản sửa lần ba")
        kept = await bot.get_updates(offset=only[-1].update_id + 1, timeout=0)
        assert kept == ()  # the last list still applies
