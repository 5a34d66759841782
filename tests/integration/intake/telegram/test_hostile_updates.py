"""Hostile and unlucky updates (issue 18, items 12 and 14): an update that cannot be parsed is
refused before it is stored unfinished, a stored one is skipped at replay instead of stopping
the bot, and the webhook refuses odd secrets, odd update ids and oversized bodies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from domain.kinds import Channel
from intake.accept import Incoming, accept
from storage.db import Database
from storage.files import FileStore
from storage.models import TelegramUpdate
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import EDITORS_CHAT, running_bot, seed
from tests.support.ports import free_port
from tgbot.callbacks import Action, review_data
from tgbot.outcomes import UNPARSEABLE
from web.server import create_app

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration
SECRET = "s3cret"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
NOW = 1_764_000_000

# A structurally bad update, and shapes a Bot API change could bring that PTB cannot parse.
BAD_SHAPES: list[dict[str, Any]] = [
    {"update_id": 700040, "message": "oops"},
    {"update_id": 700041, "message": {"message_id": 5, "date": NOW, "chat": {"id": 1001}}},
    {"update_id": 700042, "callback_query": {"id": "q", "from": [1], "chat_instance": "c"}},
]


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as database:
        yield database


async def stored(db: Database, update_id: int) -> TelegramUpdate | None:
    async with db.session() as session:
        return await session.get(TelegramUpdate, update_id, populate_existing=True)


async def raw_post(port: int, path: str, secret: bytes, body: bytes) -> int:
    """An HTTP request with a header value that is not UTF-8 (clients refuse to build one)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    ).encode()
    writer.write(head + b"X-Telegram-Bot-Api-Secret-Token: " + secret + b"\r\n\r\n" + body)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


async def test_webhook_refuses_what_it_cannot_parse_and_keeps_working(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    port = free_port()
    web_app = create_app(db)
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    runner = web.AppRunner(web_app, handle_signals=False, shutdown_timeout=1.0)

    def add_route(bot: object) -> None:
        bot.add_webhook_route(web_app, "/telegram/webhook")  # type: ignore[attr-defined]

    try:
        async with running_bot(
            fake_telegram,
            db,
            files,
            mode="webhook",
            webhook_url=url,
            webhook_secret=SECRET,
            on_built=add_route,
        ) as h:
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            await h.link_lan()
            async with aiohttp.ClientSession() as http:
                for bad in BAD_SHAPES:
                    async with http.post(url, json=bad, headers=HEADERS) as resp:
                        assert resp.status == 400, bad
                    row = await stored(db, bad["update_id"])  # kept raw, finished as failed
                    assert (
                        row is not None and row.outcome == UNPARSEABLE.encode() and row.raw == bad
                    )
                for update_id in (700050.0, 10**30, -1, "700051", True, None):
                    odd = {"update_id": update_id, "message": BAD_SHAPES[1]["message"]}
                    async with http.post(url, json=odd, headers=HEADERS) as resp:
                        assert resp.status == 400, update_id
                async with http.post(url, data=b"\xff\xfe{", headers=HEADERS) as resp:
                    assert resp.status == 400
                big = b'{"update_id": 700060, "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
                async with http.post(url, data=big, headers=HEADERS) as resp:
                    assert resp.status == 413
            assert await stored(db, 700050) is None and await stored(db, 700060) is None
            path = "/telegram/webhook"
            assert await raw_post(port, path, b"s3cr\xe9t", b"{}") == 403
            assert await raw_post(port, path, b"\xff\xfe", b"{}") == 403
            # The bot still works: a real message arrives by webhook and is handled.
            h.fake.inject_text(h.lan, "Tin sau các bản tin hỏng")
            await h.send_draft(h.lan, summaries=1)
            await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài")
    finally:
        await runner.cleanup()


async def test_replay_marks_a_stored_bad_update_failed_and_goes_on(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    """Rows an older version stored unfinished: the start-up replay must not crash on them."""
    seeded = await seed(db)
    lan = fake_telegram.user(1001, "Lan")
    good = {
        "update_id": 700070,
        "message": {
            "message_id": 9,
            "date": NOW,
            "chat": {"id": lan.id, "type": "private", "first_name": "Lan"},
            "from": lan.to_dict(),
            "text": "/huongdan",
            "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
        },
    }
    async with db.session() as session:
        for raw in [*BAD_SHAPES, good]:
            session.add(TelegramUpdate(update_id=raw["update_id"], kind="x", raw=raw, outcome=""))
        # the process that claimed the good one died while handling it
        session.add(TelegramUpdate(update_id=700071, kind="message", raw={**good, "update_id":
                    700071}, outcome="", claimed_at=datetime.now(UTC)))  # fmt: skip
        await session.commit()
    async with running_bot(fake_telegram, db, files, seeded=seeded) as h:
        for bad in BAD_SHAPES:
            row = await stored(db, bad["update_id"])
            assert row is not None and row.outcome == UNPARSEABLE.encode()
        await h.until(lambda: _finished(db, good["update_id"]))
        await h.until(lambda: _finished(db, 700071))
        # and it keeps handling new updates
        h.fake.inject_text(h.lan, "/huongdan")
        await h.message_to(h.lan.id, "", count=2)


async def _finished(db: Database, update_id: int) -> bool:
    row = await stored(db, update_id)
    return row is not None and row.outcome != ""


async def test_a_press_delivered_again_while_handled_acts_once(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    """«Yêu cầu sửa» re-POSTed three times while the first copy is handled: one prompt."""
    port = free_port()
    web_app = create_app(db)
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    runner = web.AppRunner(web_app, handle_signals=False, shutdown_timeout=1.0)

    def add_route(bot: object) -> None:
        bot.add_webhook_route(web_app, "/telegram/webhook")  # type: ignore[attr-defined]

    try:
        async with running_bot(
            fake_telegram,
            db,
            files,
            mode="webhook",
            webhook_url=url,
            webhook_secret=SECRET,
            on_built=add_route,
        ) as h:
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            sub_id = await email_submission(db, files, h.unit_id)
            assert h.bot.cards is not None
            h.bot.cards.wake()
            sub = await h.submission()
            card = await h.card(sub_id, sub.version)
            for action, prompt in ((Action.REQUEST_CHANGES, "cần chỉnh sửa"),
                                   (Action.REJECT, "lý do từ chối")):  # fmt: skip
                press = h.fake.press(h.an, card, review_data(action, sub_id, sub.version))
                async with aiohttp.ClientSession() as http:

                    async def again(raw: dict[str, Any] = press) -> int:
                        async with http.post(url, json=raw, headers=HEADERS) as resp:
                            return resp.status

                    assert await asyncio.gather(again(), again(), again()) == [200] * 3
                # a later update, handled after every copy (updates are handled in order)
                marker = h.fake.press(h.an, card, review_data(Action.PREVIEW, sub_id, sub.version))
                await h.answer(marker)
                await h.message_to(EDITORS_CHAT, "xem trước", count=1 + (action == Action.REJECT))
                prompts = [
                    c for c in h.fake.calls_to("sendMessage") if prompt in c.params.get("text", "")
                ]
                assert len(prompts) == 1, [c.params["text"] for c in prompts]
                row = await stored(db, press["update_id"])
                assert row is not None and row.outcome.startswith("prompt:")
    finally:
        await runner.cleanup()


async def email_submission(db: Database, files: FileStore, unit_id: int) -> int:
    async with db.session() as session:
        incoming = Incoming(
            channel=Channel.EMAIL,
            source_key="hostile-1",
            received_at=datetime.now(UTC),
            sender="lan@soyte.example.vn",
            title="Tiêm chủng mở rộng tháng 11",
            text="Nội dung bài viết",
            unit_id=unit_id,
        )
        sub = (await accept(incoming, session=session, files=files)).submission
        await session.commit()
    assert sub.id is not None
    return sub.id


async def test_open_draft_with_a_replayed_message_shows_one_summary_after_restart(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    """A draft open at a crash, plus a message recorded but not handled: after the restart the
    replayed message and the resumed draft give the officer one summary, not two."""
    seeded = await seed(db)
    async with running_bot(fake_telegram, db, files, seeded=seeded) as h:
        await h.link_lan()
        h.fake.inject_text(h.lan, "Tin một trước sự cố")
        await h.message_to(h.lan.id, "Bấm «Gửi duyệt»")
    lan = fake_telegram.user(1001, "Lan")
    pending = fake_telegram.inject_text(lan, "Tin hai, ghi nhận nhưng chưa xử lý")
    fake_telegram.updates.clear()  # Telegram already counted it as delivered
    async with db.session() as session:
        session.add(
            TelegramUpdate(update_id=pending["update_id"], kind="message", raw=pending, outcome="")
        )
        await session.commit()
    async with running_bot(fake_telegram, db, files, seeded=seeded) as h:
        queue = h.bot.app.job_queue
        assert queue is not None
        await h.message_to(h.lan.id, "Bấm «Gửi duyệt»", count=2)
        await h.until(lambda: _no_draft_jobs(queue))  # every summary timer has started
        await h.send_draft(h.lan, summaries=2)
        await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài")  # long after any summary in flight
        summaries = [
            c for c in h.fake.calls_to("sendMessage") if "Bấm «Gửi duyệt»" in c.params["text"]
        ]
        assert len(summaries) == 2  # one before the crash, one after the restart
        assert "2 đoạn văn bản" in summaries[-1].params["text"]  # with the replayed one
        sub = await h.submission()
        assert sub.text == "Tin một trước sự cố\n\nTin hai, ghi nhận nhưng chưa xử lý"


async def _no_draft_jobs(queue: Any) -> bool:
    return not [job for job in queue.jobs() if job.name.startswith("draft-")]
