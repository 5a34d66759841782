"""The officer-registration campaign, configured from Settings, with mail on aiosmtpd."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from domain.clock import FixedClock
from reports.compliance import month_report
from scheduler.config import config_from_settings
from scheduler.service import remind_due
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import InviteCode, Reminder
from tests.support.seed import add_officer, add_unit, email_worker, local
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.integration
SUBJECT = "Đề nghị đăng ký cán bộ đầu mối truyền thông (hạn: 19/07/2024)"


def campaign_settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database={"url": database_url},  # type: ignore[arg-type]
        schedule={  # type: ignore[arg-type]
            "deadline_day": 25,
            "reminder_time": "08:00",
            "registration_deadline": "2024-07-19",
            "registration_days": [7, 3, 1],
        },
        telegram={"bot_username": "@newsdesk_bot"},  # type: ignore[arg-type]
        intake={"mailbox_address": "tin@stttt.example.vn"},  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )


async def test_units_without_officer_are_asked_until_the_deadline(
    database: Database, database_url: str, tmp_path: Path, smtp_sink: SmtpSink, files: FileStore
) -> None:
    """GIVEN A with an officer, B and D without (B registers on 15/7), C without any address
    WHEN the job runs each morning from 10/7 to 25/7
    THEN B is asked on 12/7 only, D on 12/7, 16/7 and 18/7 with the same invite link, nobody
    after the deadline, and the July report lists C and D as unregistered."""
    config = config_from_settings(campaign_settings(tmp_path, database_url))
    assert config.campaign is not None
    assert config.campaign.deadline == local(2024, 7, 19, 17)
    a = await add_unit(database, "a", "Sở A")
    b = await add_unit(database, "b", "Sở B", addresses=["vp@b.vn"])
    c = await add_unit(database, "c", "Sở C")
    await add_unit(database, "d", "Sở D", addresses=["vp@d.vn", "@d.vn"])
    await add_officer(database, a, "Nguyễn An", email="an@a.vn")
    clock = FixedClock(local(2024, 7, 10, 8))
    worker = email_worker(database, smtp_sink, files, clock)
    for day in range(10, 26):
        if day == 15:
            await add_officer(database, b, "Trần Bình", email="binh@b.vn")
        clock.set(local(2024, 7, day, 8, 1))
        await remind_due(db=database, config=config, now=clock.now())
        await worker.drain()
    asked = sorted(m.rcpt_tos[0] for m in smtp_sink.messages if m.message["Subject"] == SUBJECT)
    assert asked == ["vp@b.vn", "vp@d.vn", "vp@d.vn", "vp@d.vn"]
    async with database.session() as session:
        rows = (
            await session.exec(select(Reminder).where(Reminder.period == "reg-20240719"))
        ).all()
    d = await _unit_id(database, "d")
    assert sorted((r.unit_id, r.step) for r in rows) == sorted(
        [(b, "before-7"), (d, "before-7"), (d, "before-3"), (d, "before-1")]
    )
    bodies = [m.message.get_body(("plain",)).get_content() for m in smtp_sink.messages
              if m.rcpt_tos == ["vp@d.vn"] and m.message["Subject"] == SUBJECT]  # fmt: skip
    async with database.session() as session:
        invites = {i.unit_id: i.code for i in (await session.exec(select(InviteCode))).all()}
    assert set(invites) == {b, c, d}  # C cannot be mailed, but its code is ready
    link = f"https://t.me/newsdesk_bot?start={invites[d]}"
    assert all(f"  {link}\n" in body for body in bodies)
    assert "(còn 7 ngày)" in bodies[0] and "(còn 1 ngày)" in bodies[2]
    async with database.session() as session:
        report = await month_report(session=session, period="2024-07", rules=config.rules,
                                    now=local(2024, 8, 3, 8))  # fmt: skip
    assert report.unregistered == ("Sở C", "Sở D")


async def _unit_id(db: Database, code: str) -> int:
    from storage.registry import get_unit_by_code

    async with db.session() as session:
        unit = await get_unit_by_code(session=session, code=code)
    assert unit is not None and unit.id is not None
    return unit.id


def test_settings_without_registration_deadline_have_no_campaign(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    config = config_from_settings(settings)
    assert config.campaign is None
    assert config.plan.deadline.local_date("2024-07") == date(2024, 7, 25)
    assert [s.name for s in config.plan.steps] == ["before-7", "before-3", "before-1", "overdue-1"]
    assert config.how.bot_link == ""
