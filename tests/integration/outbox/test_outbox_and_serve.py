"""The outbox against a real SMTP server; `serve` with /healthz and /metrics."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from domain.clock import FixedClock
from outbox import EMAIL, enqueue
from outbox.email import EmailSender
from outbox.worker import OutboxWorker
from runtime.logs import RedactingFilter
from runtime.serve import serve
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import OutboxMessage, utcnow
from tests.support.ports import free_port
from tests.support.smtp import SmtpSink, smtp_settings_for

pytestmark = pytest.mark.integration


async def test_email_is_sent_once_and_threaded(
    database: Database, smtp_sink: SmtpSink, files: FileStore
) -> None:
    """GIVEN a receipt enqueued twice under one key WHEN drained THEN one threaded mail."""
    report = files.put("Đơn vị,Số tin\nSở Y tế,1\n".encode(), "bao-cao.csv")
    for _ in range(2):
        async with database.session() as session:
            await enqueue(
                session=session,
                key="receipt:2024-07-0001",
                channel=EMAIL,
                recipient="vanphong@syt.example.vn",
                subject="Đã nhận bài: Tiêm chủng mở rộng",
                body="Mã bài gửi: 2024-07-0001",
                in_reply_to="<abc@mail.example.vn>",
                attachments=[
                    {
                        "sha256": report.sha256,
                        "filename": "bao-cao.csv",
                        "content_type": "text/csv",
                    }
                ],
            )
            await session.commit()
    worker = OutboxWorker(
        database,
        [EmailSender(smtp_settings_for(smtp_sink), files=files)],
        clock=FixedClock(utcnow()),
    )
    assert await worker.drain() == 1
    assert await worker.drain() == 0
    [mail] = smtp_sink.wait_for(1)
    message = mail.message
    assert message["Subject"] == "Đã nhận bài: Tiêm chủng mở rộng"
    assert message["In-Reply-To"] == "<abc@mail.example.vn>"
    assert message["References"] == "<abc@mail.example.vn>"
    assert message.get_body(("plain",)).get_content().strip() == "Mã bài gửi: 2024-07-0001"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "bao-cao.csv"
    assert mail.rcpt_tos == ["vanphong@syt.example.vn"]


async def test_long_vietnamese_subjects_keep_every_space(
    database: Database, smtp_sink: SmtpSink, files: FileStore
) -> None:
    subjects = [
        "Nhắc đăng ký cán bộ phụ trách công tác truyền thông chính sách của Ủy ban nhân dân "
        f"huyện Quỳnh Phụ tháng {n} năm 2024 " + "đơn vị " * n
        for n in range(1, 13)
    ]
    async with database.session() as session:
        for n, subject in enumerate(subjects):
            await enqueue(
                session=session, key=f"s{n}", channel=EMAIL, recipient="a@b.vn",
                subject=subject.strip(), body="x",
            )  # fmt: skip
        await session.commit()
    sender = EmailSender(smtp_settings_for(smtp_sink), files=files)
    await OutboxWorker(database, [sender], clock=FixedClock(utcnow())).drain()
    received = sorted(m.message["Subject"] for m in smtp_sink.wait_for(len(subjects)))
    assert received == sorted(s.strip() for s in subjects)


async def test_smtp_down_delays_never_loses(database: Database, files: FileStore) -> None:
    """GIVEN no SMTP server WHEN the worker tries THEN the row waits; later it is delivered."""
    port = free_port()
    clock = FixedClock(utcnow())
    async with database.session() as session:
        await enqueue(
            session=session, key="k1", channel=EMAIL, recipient="a@b.vn", body="x", now=clock.now()
        )
        await session.commit()
    sink = SmtpSink(port)
    worker = OutboxWorker(
        database,
        [EmailSender(smtp_settings_for(sink, timeout_seconds=2), files=files)],
        clock=clock,
    )
    assert await worker.drain_once() == 1
    async with database.session() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "SMTP unavailable" in (row.last_error or "")
    assert await worker.drain_once() == 0  # backoff: not due yet
    sink.start()
    try:
        clock.advance(timedelta(seconds=10))
        assert await worker.drain_once() == 1
        assert len(sink.wait_for(1)) == 1
    finally:
        sink.stop()
    async with database.session() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
    assert row.status == "sent"


async def test_smtp_permanent_refusal_is_recorded(
    database: Database, smtp_sink: SmtpSink, files: FileStore
) -> None:
    async with database.session() as session:
        await enqueue(session=session, key="k2", channel=EMAIL, recipient="a@b.vn", body="x")
        await session.commit()
    smtp_sink.refuse_next("550 5.7.1 Message rejected as spam")
    settings = smtp_settings_for(smtp_sink)
    worker = OutboxWorker(
        database, [EmailSender(settings, files=files)], clock=FixedClock(utcnow())
    )
    await worker.drain_once()
    async with database.session() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "SMTP 5" in (row.last_error or "")


async def test_serve_answers_health_and_metrics_then_stops(settings: Settings) -> None:
    """GIVEN embedded defaults WHEN serve runs THEN units are seeded, /healthz is ok."""
    port = free_port()
    settings = settings.model_copy(update={"web": settings.web.model_copy(update={"port": port})})
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, stop=stop, ready=ready))
    await asyncio.wait_for(ready.wait(), 20)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(100):
            try:
                health = await client.get("/healthz")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        metrics = await client.get("/metrics")
    stop.set()
    await asyncio.wait_for(task, 20)
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
    assert "newsdesk_database_up 1.0" in metrics.text
    db = Database(settings.database_url)
    from storage.registry import count_units

    async with db.session() as session:
        assert await count_units(session=session) == 30
    await db.dispose()


def test_bot_tokens_never_reach_log_output() -> None:
    token = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
    line = 'HTTP Request: POST https://api.telegram.org/bot%s/getMe "HTTP/1.1 200 OK"'
    record = logging.LogRecord("httpx", logging.WARNING, __file__, 1, line, (token,), None)
    RedactingFilter(["s3cr3t-password"]).filter(record)
    assert token not in record.getMessage()
    assert "/bot***/getMe" in record.getMessage()
    record2 = logging.LogRecord("x", logging.ERROR, __file__, 1, "login s3cr3t-password", (), None)
    RedactingFilter(["s3cr3t-password"]).filter(record2)
    assert record2.getMessage() == "login ***"


async def test_two_workers_on_one_database_send_each_message_once(
    database: Database, smtp_sink: SmtpSink, files: FileStore
) -> None:
    """GIVEN 30 queued mails WHEN two workers drain concurrently THEN each is sent once."""
    clock = FixedClock(utcnow())
    async with database.session() as session:
        for n in range(30):
            await enqueue(
                session=session,
                key=f"reminder:{n}",
                channel=EMAIL,
                recipient=f"unit{n}@example.vn",
                subject=f"Nhắc {n}",
                body="Hạn gửi sản phẩm truyền thông",
                now=clock.now(),
            )
        await session.commit()
    sender = EmailSender(smtp_settings_for(smtp_sink), files=files)
    workers = [OutboxWorker(database, [sender], clock=clock, batch=5) for _ in range(2)]
    await asyncio.gather(*(w.drain() for w in workers))
    received = smtp_sink.wait_for(30)
    await asyncio.sleep(0.2)
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(
        f"unit{n}@example.vn" for n in range(30)
    )
    assert len(received) == 30


async def test_components_can_be_switched_off_per_process(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN components_off WHEN serve starts THEN those are listed off and not run."""
    port = free_port()
    settings = settings.model_copy(
        update={
            "components_off": ["web", "scheduler"],
            "web": settings.web.model_copy(update={"port": port}),
        }
    )
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, stop=stop, ready=ready))
    await asyncio.wait_for(ready.wait(), 20)
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/healthz")
    stop.set()
    await asyncio.wait_for(task, 20)
    out = capsys.readouterr().out
    assert "[off] web: switched off in this process (NEWSDESK_COMPONENTS_OFF)" in out
    assert "[off] scheduler: switched off in this process" in out
    assert "[on]  email intake: drop folder" in out


def test_unknown_component_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown components"):
        Settings(components_off=["mail"], _env_file=None)  # type: ignore[call-arg]


async def test_bare_message_ids_are_bracketed_for_threading(
    database: Database, smtp_sink: SmtpSink, files: FileStore
) -> None:
    async with database.session() as session:
        await enqueue(
            session=session, key="d1", channel=EMAIL, recipient="a@b.vn", body="x",
            in_reply_to="abc@mail.vn", references="<r0@mail.vn> abc@mail.vn",
        )  # fmt: skip
        await session.commit()
    sender = EmailSender(smtp_settings_for(smtp_sink), files=files)
    await OutboxWorker(database, [sender], clock=FixedClock(utcnow())).drain()
    [mail] = smtp_sink.wait_for(1)
    assert mail.message["In-Reply-To"] == "<abc@mail.vn>"
    assert mail.message["References"] == "<r0@mail.vn> <abc@mail.vn>"
