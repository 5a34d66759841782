"""The real scheduler component restarted between steps and after outages: email on aiosmtpd,
Telegram on the fake Bot API, the monthly report and the digest, each exactly once."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from domain.clock import FixedClock
from outbox.telegram import TelegramSender
from scheduler.config import SchedulerConfig
from scheduler.jobs import SchedulerComponent
from storage.db import Database
from storage.files import FileStore
from storage.models import Reminder
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_fixture import build_bot, fake_telegram  # noqa: F401
from tests.support.seed import (
    add_officer,
    add_submission,
    add_unit,
    email_worker,
    local,
    make_config,
)
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.integration
EDITORS = -1001
START_UP_JOBS = {"reminders", "monthly-report", "digest"}


async def boot(
    db: Database, files: FileStore, config: SchedulerConfig, clock: FixedClock, at: datetime
) -> None:
    """Start the scheduler as `serve` would at `at`, let its start-up runs finish, stop it."""
    clock.set(at)
    component = SchedulerComponent(db=db, files=files, config=config, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(component.run(stop))
    for _ in range(500):  # start-up runs are immediate; give the loop a few turns
        if set(component.finished) >= START_UP_JOBS:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await task
    assert set(component.finished) >= START_UP_JOBS


async def test_restarts_and_outages_send_each_message_once(
    database: Database,
    smtp_sink: SmtpSink,
    files: FileStore,
    fake_telegram: FakeTelegram,  # noqa: F811
    clock: FixedClock,
) -> None:
    """GIVEN unit A (officer on Telegram and email) and unit B (own address only)
    WHEN the service starts on 12/7, restarts on 13/7 and 16/7, is down from 16/7 09:00 to
    18/7 16:00 (missing before-1 at 08:00), starts after the deadline and on Monday 22/7
    THEN A and B get before-7, before-3, before-1 and the overdue notice once each on every
    channel, June's report goes out once, and the editors get one digest per working day."""
    a = await add_unit(database, "a", "Sở A")
    await add_unit(database, "b", "Sở B", addresses=["vanphong@b.vn"])
    c = await add_unit(database, "c", "Sở C")
    await add_officer(database, a, "Nguyễn Văn An", email="an@a.vn", telegram_user_id=7001)
    await add_officer(database, c, "Lê C", email="c@c.vn", phone="+84912000111")
    await add_submission(database, c, local(2024, 6, 5, 9))  # C complied in June only
    fake_telegram.user(7001, "An")
    fake_telegram.group(EDITORS, "Biên tập")
    config = make_config(day=19, editors_chat_id=EDITORS)
    async with build_bot(fake_telegram) as bot:
        worker = email_worker(database, smtp_sink, files, clock, TelegramSender(bot))
        for at in (
            local(2024, 7, 12, 9),
            local(2024, 7, 13, 9),  # Saturday restart: nothing new
            local(2024, 7, 16, 9),
            local(2024, 7, 18, 16),  # back after two days down
            local(2024, 7, 19, 18),  # after the deadline, before the overdue notice
            local(2024, 7, 22, 8, 30),
            local(2024, 7, 22, 9),  # one more restart the same morning
        ):
            await boot(database, files, config, clock, at)
            await worker.drain()

    texts = [c.params["text"] for c in fake_telegram.calls_to("sendMessage")]
    to_an = [c.params["text"] for c in fake_telegram.calls_to("sendMessage")
             if c.params["chat_id"] == 7001]  # fmt: skip
    assert len(to_an) == 4
    assert "Hạn gửi: 17:00 ngày 19/07/2024 (còn 7 ngày)." in to_an[0]
    assert "(còn 3 ngày)" in to_an[1]
    assert "(còn 1 ngày)" in to_an[2]
    assert "Hạn gửi 17:00 ngày 19/07/2024 đã qua" in to_an[3]

    by_rcpt: dict[str, list[str]] = {}
    for mail in smtp_sink.messages:
        by_rcpt.setdefault(mail.rcpt_tos[0], []).append(str(mail.message["Subject"]))
    reminder = "Đề nghị gửi tin, bài tháng 07/2024 (hạn: 17:00 ngày 19/07/2024)"
    overdue = "Đơn vị chưa gửi tin, bài tháng 07/2024 (đã quá hạn)"
    assert by_rcpt["an@a.vn"] == [reminder] * 3 + [overdue]
    assert by_rcpt["vanphong@b.vn"] == [reminder] * 3 + [overdue]
    assert by_rcpt["c@c.vn"] == [reminder] * 3 + [overdue]
    assert by_rcpt["lanhdao@stttt.example.vn"] == [
        "Báo cáo tình hình gửi tin, bài của các cơ quan, đơn vị tháng 06/2024"
    ]

    report_mail = next(m for m in smtp_sink.messages if m.rcpt_tos == ["lanhdao@stttt.example.vn"])
    body = report_mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith("Kính gửi: Lãnh đạo Sở Thông tin và Truyền thông,\n")
    assert body.rstrip().endswith(
        "Trân trọng,\nBan Biên tập Trang Zalo OA “Công dân số Thái Bình”\n"
        "Sở Thông tin và Truyền thông"
    )
    assert "Newsdesk" not in body and "📊" not in body and "👏" not in body  # no emoji to leaders
    attachments = {
        a.get_filename(): a.get_content() for a in report_mail.message.iter_attachments()
    }
    assert sorted(attachments) == ["bao-cao-2024-06.csv", "bao-cao-2024-06.xlsx"]
    ws = load_workbook(io.BytesIO(attachments["bao-cao-2024-06.xlsx"])).active
    assert ws is not None
    rows = [[c.value for c in row][:7] for row in ws.iter_rows(min_row=5, max_row=7)]
    assert rows == [
        [1, "a", "Sở A", 0, 0, 0, "Chưa gửi"],
        [2, "b", "Sở B", 0, 0, 0, "Chưa gửi"],
        [3, "c", "Sở C", 1, 0, 0, "Đúng hạn"],
    ]
    assert "+84912000111" not in attachments["bao-cao-2024-06.csv"]

    to_editors = [t for t, c in zip(texts, fake_telegram.calls_to("sendMessage"), strict=True)
                  if c.params["chat_id"] == EDITORS]  # fmt: skip
    summaries = [t for t in to_editors if t.startswith("📊")]
    digests = [t for t in to_editors if t.startswith("🗞")]
    assert summaries == [
        "📊 Báo cáo tháng 06/2024: 1/3 đơn vị đạt (1 đúng hạn, 0 trễ hạn).\n"
        "Đã gửi: 1/3 đơn vị; đã đăng: 0/3 đơn vị.\n"
        "Chưa gửi (2): Sở A, Sở B.\n"
        "Lượt xem, người quan tâm OA: — (chưa có số liệu từ Zalo OA)."
    ]
    assert [d.splitlines()[0] for d in digests] == [
        "🗞 Bản tin ngày 12/07/2024",
        "🗞 Bản tin ngày 16/07/2024",
        "🗞 Bản tin ngày 18/07/2024",
        "🗞 Bản tin ngày 19/07/2024",
        "🗞 Bản tin ngày 22/07/2024",
    ]
    assert "📭 Chưa gửi tháng 07/2024: 3/3 đơn vị" in digests[0]


async def test_a_restart_after_a_crash_does_not_wait_out_its_own_job_leases(
    database: Database, files: FileStore, clock: FixedClock
) -> None:
    """GIVEN instance "inst-a" killed mid-sweep (its reminder lease still held) and instance
    "inst-b" holding the digest's WHEN inst-a starts again THEN its own lease is let go and its
    start-up sweep runs at once, while the other instance's lease is left alone."""
    from scheduler.locks import JOB_LEASE, lease_name
    from storage.leases import acquire
    from storage.models import Lease, utcnow

    a = await add_unit(database, "a", "Sở A")
    await add_officer(database, a, "Cán bộ A", email="cb@a.vn")
    async with database.session() as session:
        for job, holder in (("reminders", "inst-a:41:dead"), ("digest", "inst-b:7:live")):
            assert await acquire(session=session, name=lease_name(job), holder=holder,
                                 now=utcnow(), ttl=JOB_LEASE)  # fmt: skip
        await session.commit()
    config = make_config(day=19)
    clock.set(local(2024, 7, 12, 8, 1))
    component = SchedulerComponent(db=database, files=files, config=config, clock=clock,
                                   instance="inst-a")  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(component.run(stop))
    for _ in range(500):
        if "reminders" in component.finished:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await task
    async with database.session() as session:
        now = utcnow()
        held = dict(
            (
                await session.exec(select(Lease.name, Lease.holder).where(Lease.expires_at > now))
            ).all()
        )
        reminders, digest = held.get(lease_name("reminders")), held.get(lease_name("digest"))
        sent = (await session.exec(select(Reminder))).all()
    assert reminders is None  # released by the restart, taken and let go by the sweep
    assert digest == "inst-b:7:live"
    assert [r.unit_id for r in sent] == [a]
