"""The whole pipeline in one `serve`: an officer's mail becomes a Zalo article.

Real peers where they exist (aiosmtpd for SMTP, SQLite/PostgreSQL), the fake Telegram Bot API
and the fake Zalo OA over loopback for the rest, and the real components of `serve`.
"""

from __future__ import annotations

import asyncio
import time
from datetime import time as dtime
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import select

from domain.kinds import UnitKind
from domain.states import SubmissionStatus as S
from runtime.serve import serve
from storage.db import Database
from storage.models import Publication, Submission
from storage.registry import create_editor, create_officer, upsert_unit
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import fake_telegram  # noqa: F401
from tests.integration.publisher.world import EDITORS_CHAT, make_world, photo
from tests.support.ports import free_port
from tests.support.smtp import SmtpSink, smtp_settings_for
from tgbot.callbacks import Action, review_data

pytestmark = pytest.mark.integration


def officer_mail() -> bytes:
    mail = EmailMessage()
    mail["From"] = "Nguyễn Thị Lan <lan.nt@kienxuong.example.vn>"
    mail["To"] = "tin@stttt.example.vn"
    mail["Subject"] = "Fwd: Ra quân chiến dịch tiêm chủng mở rộng"
    mail["Message-ID"] = "<pipeline-1@kienxuong.example.vn>"
    mail.set_content(
        "Sáng 26/11, UBND huyện Kiến Xương ra quân chiến dịch tiêm chủng mở rộng.\n\n"
        "Chiến dịch kéo dài đến hết tháng 12."
    )
    mail.add_attachment(photo(), maintype="image", subtype="jpeg", filename="ra-quan.jpg")
    return mail.as_bytes()


async def until(probe, timeout: float = 30.0):  # type: ignore[no-untyped-def]  # noqa: ASYNC109
    """Poll `probe` until it returns something truthy (waits for effects, not a timing)."""
    async with asyncio.timeout(timeout):
        while True:
            value = await probe()
            if value:
                return value
            await asyncio.sleep(0.05)


async def test_mail_becomes_a_published_article(
    database: Database,
    tmp_path: Path,
    smtp_sink: SmtpSink,
    fake_telegram: FakeTelegram,  # noqa: F811
) -> None:
    """GIVEN serve with email (drop folder), Telegram, the publisher and SMTP on WHEN an
    officer's mail arrives and an editor approves its card THEN the officer gets a receipt, the
    decision and the article's link, all threaded, and exactly one article exists on Zalo."""
    async with make_world(
        database, tmp_path, broadcast=False, publish_start=dtime(0), publish_end=dtime(23, 59, 59)
    ) as world:
        await world.login()
        world.fake.now = time.time  # serve runs on the real clock
        async with database.session() as session:
            unit, _ = await upsert_unit(
                session=session, code="h-kien-xuong", name="UBND huyện Kiến Xương",
                kind=UnitKind.DISTRICT,
            )  # fmt: skip
            assert unit.id is not None
            await create_officer(
                session=session, unit_id=unit.id, full_name="Nguyễn Thị Lan",
                email="lan.nt@kienxuong.example.vn",
            )  # fmt: skip
            await create_editor(session=session, full_name="Trần Văn An", telegram_user_id=2001)
            await session.commit()
        fake_telegram.group(EDITORS_CHAT, "Ban biên tập")
        editor = fake_telegram.user(2001, "An")
        port = free_port()
        settings = world.settings.model_copy(
            update={
                "smtp": smtp_settings_for(smtp_sink),
                "components_off": ["scheduler"],
                "telegram": world.settings.telegram.model_copy(
                    update={
                        "token": SecretStr(fake_telegram.token),
                        "base_url": fake_telegram.base_url,
                        "base_file_url": fake_telegram.base_file_url,
                        "poll_timeout_seconds": 1,
                        "edit_interval_seconds": 0.0,
                    }
                ),
                "web": world.settings.web.model_copy(
                    update={"port": port, "public_base_url": f"http://127.0.0.1:{port}"}
                ),
                "intake": world.settings.intake.model_copy(update={"drop_poll_seconds": 0.2}),
            }
        )
        settings.drop_dir.mkdir(parents=True, exist_ok=True)
        (settings.drop_dir / "lan.eml").write_bytes(officer_mail())
        stop, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve(settings, stop=stop, ready=ready))
        try:
            await asyncio.wait_for(ready.wait(), 30)

            async def card() -> dict | None:  # type: ignore[type-arg]
                async with database.session() as session:
                    sub = (await session.exec(select(Submission))).first()
                if sub is None or sub.card_message_id is None:
                    return None
                return {
                    "sub": sub,
                    "msg": fake_telegram.message(EDITORS_CHAT, sub.card_message_id),
                }

            found = await until(card)
            sub = found["sub"]
            assert (
                sub.status == S.PENDING_REVIEW
                and sub.title == "Ra quân chiến dịch tiêm chủng mở rộng"
            )
            fake_telegram.press(
                editor, found["msg"], review_data(Action.APPROVE, sub.id, sub.version)
            )

            async def published() -> Submission | None:
                async with database.session() as session:
                    done = await session.get(Submission, sub.id, populate_existing=True)
                return done if done and done.status == S.PUBLISHED else None

            done = await until(published)
            mails = await asyncio.to_thread(smtp_sink.wait_for, 3, 30)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
    [article] = world.fake.live_articles()
    assert article["title"] == "Ra quân chiến dịch tiêm chủng mở rộng"
    assert article["author"] == "UBND huyện Kiến Xương"
    to_officer = [m for m in mails if m.rcpt_tos == ["lan.nt@kienxuong.example.vn"]]
    assert len(to_officer) == 3
    assert {m.message["In-Reply-To"] for m in to_officer} == {"<pipeline-1@kienxuong.example.vn>"}
    bodies = [m.message.get_body(("plain",)).get_content() for m in to_officer]
    assert sub.code in bodies[0]
    async with database.session() as session:
        [publication] = (await session.exec(select(Publication))).all()
    assert done.code == sub.code and publication.article_id == article["id"]
    assert publication.url and publication.url in bodies[2]
