"""Webhook mode (secret checked, duplicates handled once), file limits, email submissions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import select

from domain.kinds import Channel
from domain.states import SubmissionStatus
from intake.accept import Incoming, IncomingFile, accept
from outbox.email import EmailSender
from settings import SmtpSettings
from storage.db import Database
from storage.files import FileStore
from storage.models import Submission, TelegramUpdate
from storage.submissions import list_attachments
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram
from tests.support.bot import running_bot
from tests.support.ports import free_port
from tests.support.smtp import SmtpSink
from tgbot import outcomes
from tgbot.callbacks import Action, review_data

__all__ = ["fake_telegram"]
pytestmark = pytest.mark.integration
MB = 1024 * 1024


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with Database(sqlite_url) as database:
        yield database


async def test_webhook_checks_secret_and_handles_a_duplicate_once(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    port = free_port()
    web_app = web.Application()
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
            webhook_secret="s3cret",
            on_built=add_route,
        ) as h:
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            await h.link_lan()
            first = h.fake.inject_text(h.lan, "Tin một: khám sàng lọc miễn phí")
            await h.fake.wait_until_consumed()
            async with aiohttp.ClientSession() as http:
                async with http.post(
                    url, json=first, headers={"X-Telegram-Bot-Api-Secret-Token": "sai"}
                ) as resp:
                    assert resp.status == 403
                secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                async with http.post(url, json=first, headers=secret) as resp:  # delivered again
                    assert resp.status == 200
            h.fake.inject_text(h.lan, "Tin một (tiếp)")
            await h.send_draft(h.lan, summaries=1)
            await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài")
            sub = await h.submission()
            assert sub.text == "Tin một: khám sàng lọc miễn phí\n\nTin một (tiếp)"
            [hook] = h.fake.calls_to("setWebhook")
            assert hook.params["secret_token"] == "s3cret" and hook.params["url"] == url
            assert not h.fake.calls_to("getUpdates")  # no polling in webhook mode
            # a review press arrives by webhook too (recorded on arrival, decided once)
            card = await h.card(sub.id or 0, sub.version)
            press = h.fake.press(h.an, card, review_data(Action.APPROVE, sub.id or 0, sub.version))
            assert "Đã duyệt" in (await h.answer(press))["text"]
            await h.message_to(h.lan.id, "đã được Ban Biên tập duyệt")
            async with (
                aiohttp.ClientSession() as http,
                http.post(url, json=press, headers=secret) as resp,  # delivered again
            ):
                assert resp.status == 200
            decided = await h.submission()
            assert decided.status == SubmissionStatus.APPROVED
            async with h.db.session() as session:
                row = await session.get(TelegramUpdate, press["update_id"])
            assert row is not None and row.outcome == "done"
    finally:
        await runner.cleanup()


async def test_file_over_download_limit_is_explained_not_lost(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    async with running_bot(fake_telegram, db, files, max_mail_mb=50) as h:
        await h.link_lan()
        h.fake.inject_video(h.lan, None, file_name="le-ky-niem.mp4", file_size=25 * MB)
        [explained] = await h.message_to(h.lan.id, "vượt quá giới hạn 20 MB")
        assert (
            "le-ky-niem.mp4" in explained["text"]
            and "bantin@stttt.example.vn (tệp đến 37 MB)" in explained["text"]
        )
        assert "Google Drive" in explained["text"]
        # A file no mail within the limit can carry is never sent to the mailbox.
        h.fake.inject_video(h.lan, None, file_name="phim-dai.mp4", file_size=40 * MB)
        [too_big] = await h.message_to(h.lan.id, "«phim-dai.mp4»")
        assert "thư điện tử" not in too_big["text"] and "Google Drive" in too_big["text"]
        async with h.db.session() as session:
            rows = (await session.exec(select(TelegramUpdate))).all()
        too_big_note = outcomes.note("too_big").encode()
        assert [r.outcome for r in rows if r.kind == "message"] == [too_big_note] * 2  # raw kept
        assert not [c for c in h.fake.calls_to("sendMessage") if "Bản nháp" in c.params["text"]]


async def test_local_bot_api_server_allows_larger_files(
    fake_telegram: FakeTelegram, db: Database, files: FileStore
) -> None:
    fake_telegram.download_limit = None  # a local Bot API server has no 20 MB cap
    async with running_bot(fake_telegram, db, files, max_download_mb=2000) as h:
        await h.link_lan()
        h.fake.inject_video(h.lan, b"big-video-bytes", caption="Phóng sự", file_size=300 * MB)
        await h.send_draft(h.lan)
        await h.message_to(h.lan.id, "Đã tiếp nhận tin, bài")
        sub = await h.submission()
        assert sub.kind == "video"
        async with h.db.session() as session:
            [video] = await list_attachments(session=session, submission_id=sub.id or 0)
        assert h.files.read(video.sha256) == b"big-video-bytes" and video.media == "video"


async def test_email_submission_gets_a_card_and_an_emailed_decision(
    fake_telegram: FakeTelegram, db: Database, files: FileStore, smtp_sink: SmtpSink
) -> None:
    smtp = SmtpSettings(
        host=smtp_sink.host,
        port=smtp_sink.port,
        start_tls=False,
        from_address="newsdesk@stttt.example.vn",
    )
    async with running_bot(
        fake_telegram, db, files, senders=[EmailSender(smtp, files=files)]
    ) as h:
        async with h.db.session() as session:
            incoming = Incoming(
                channel=Channel.EMAIL,
                source_key="mail:1",
                received_at=datetime.now(UTC),
                sender="vanthu@soyte.example.vn",
                sender_name="Văn thư Sở Y tế",
                title="Poster phòng chống sốt xuất huyết",
                text="Kính gửi Ban biên tập...",
                unit_id=h.unit_id,
                reply_to_message_id="<abc123@soyte.example.vn>",
                files=[IncomingFile(b"%PDF-1.7", "poster.pdf", "application/pdf")],
            )
            accepted = await accept(incoming, session=session, files=files)
            await session.commit()
        sub = accepted.submission
        h.bot.cards.wake()  # type: ignore[union-attr]
        card = await h.card(sub.id or 0, sub.version)
        assert "thư điện tử" in card["text"] and "1 tệp" in card["text"]
        h.fake.press(h.an, card, review_data(Action.APPROVE, sub.id or 0, sub.version))
        await h.until(lambda: _mail_count(smtp_sink))
        [mail] = smtp_sink.messages
        assert mail.rcpt_tos == ["vanthu@soyte.example.vn"]
        assert mail.message["In-Reply-To"] == "<abc123@soyte.example.vn>"
        assert sub.code in mail.message["Subject"]
        async with h.db.session() as session:
            decided = await session.get(Submission, sub.id, populate_existing=True)
        assert decided is not None and decided.status == SubmissionStatus.APPROVED


async def _mail_count(sink: SmtpSink) -> int:
    return len(sink.messages)
