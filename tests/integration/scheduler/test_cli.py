"""`report` and `remind` from the command line, on a real SQLite file and aiosmtpd."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from domain.periods import TZ
from domain.states import SubmissionStatus as S
from main import app
from scheduler.locks import JOB_LEASE, lease_name
from storage.db import Database
from storage.leases import acquire
from storage.models import Reminder, utcnow
from tests.support.seed import add_officer, add_submission, add_unit, local
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.integration


async def _seed(url: str) -> None:
    async with Database(url) as db:
        a = await add_unit(db, "a", "Sở A", addresses=["vp@a.vn"])
        b = await add_unit(db, "b", "Sở B")
        await add_officer(db, b, "Trần Bình", email="binh@b.vn", phone="+84912345678")
        await add_submission(db, a, local(2024, 7, 20, 9), status=S.PUBLISHED)


async def _reminders(url: str) -> list[Reminder]:
    async with Database(url) as db, db.session() as session:
        return list((await session.exec(select(Reminder))).all())


@pytest.fixture
def cli_db(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated, seeded SQLite file the CLI is pointed at through the environment.

    The CLI runs its own event loop (asyncio.run), so these tests are synchronous."""
    monkeypatch.chdir(tmp_path)  # no stray .env; relative output lands here
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSDESK_DATABASE__URL", sqlite_url)
    monkeypatch.setenv("NEWSDESK_SCHEDULE__DEADLINE_DAY", "19")
    asyncio.run(_seed(sqlite_url))
    return sqlite_url


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout  # logs go to stderr


def test_report_month_csv_and_table(cli_db: str, tmp_path: Path) -> None:
    invoke("report", "--month", "2024-07", "--format", "csv", "--out", "thang7.csv")
    data = (tmp_path / "thang7.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    no_reach = ["0", "—", "—"]  # no article on the OA, no reading from Zalo: "—", never 0
    assert rows[1:] == [
        ["1", "a", "Sở A", "1", "1", "1", "Trễ hạn", "09:00 ngày 20/07/2024", "Chưa đăng ký", "",
         *no_reach],
        ["2", "b", "Sở B", "0", "0", "0", "Chưa gửi", "", "Trần Bình", "Chuyên viên", *no_reach],
        ["", "", "Tổng cộng", "1", "1", "1", "", "", "", "", *no_reach],
        [],
        ["Người quan tâm OA đầu tháng", "—"],
        ["Người quan tâm OA cuối tháng", "—"],
        ["Tăng trong tháng", "—"],
    ]  # fmt: skip
    table = invoke("report", "--month", "2024-07")
    assert table.startswith("BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI THÁNG 07/2024\n")
    assert "Báo cáo tháng 07/2024: 1/2 đơn vị đạt (0 đúng hạn, 1 trễ hạn)." in table
    assert "+84912345678" not in table
    internal = invoke("report", "--month", "2024-07", "--format", "csv", "--internal")
    assert "+84912345678" in internal


def test_report_year_xlsx(cli_db: str, tmp_path: Path) -> None:
    out = invoke("report", "--year", "2024", "--format", "xlsx")
    assert out.startswith("Đã ghi bao-cao-2024.xlsx")
    ws = load_workbook(tmp_path / "bao-cao-2024.xlsx").active
    assert ws is not None
    assert [c.value for c in ws[5]][:10] == [1, "a", "Sở A", "✗", "✗", "✗", "✗", "✗", "✗", "Trễ"]


def test_report_refuses_bad_input(cli_db: str) -> None:
    result = CliRunner().invoke(app, ["report", "--month", "13/2024"])
    assert result.exit_code == 1
    assert "tháng không hợp lệ" in result.output and "12/2026 hoặc 2026-12" in result.output
    result = CliRunner().invoke(app, ["report", "--month", "2024-07", "--year", "2024"])
    assert result.exit_code == 1


def test_report_month_as_people_write_it(cli_db: str) -> None:
    """--month 07/2024, 7/2024 and 2024-07 are the same month (as remind --date dd/mm/yyyy)."""
    outputs = {invoke("report", "--month", m) for m in ("07/2024", "7/2024", "2024-07")}
    assert len(outputs) == 1
    assert outputs.pop().startswith("BÁO CÁO TÌNH HÌNH GỬI TIN, BÀI THÁNG 07/2024")


def test_remind_run_with_a_date_is_a_dry_check(cli_db: str) -> None:
    """`remind run --date` lists what a sweep that day would queue, counts the units reached
    and those that cannot be reached, and records and sends nothing."""

    async def unit_without_address() -> None:
        async with Database(cli_db) as db:
            await add_unit(db, "c", "Sở C")

    asyncio.run(unit_without_address())
    out = invoke("remind", "run", "--date", "16/07/2024")
    assert out.startswith("Chạy thử ngày 16/07/2024 (không ghi nhận, không gửi):")
    assert "binh@b.vn" in out and "before-3" in out and "thư điện tử" in out
    assert out.rstrip().endswith(
        "1 tin nhắn tới 1 đơn vị vào ngày 16/07/2024; 1 đơn vị chưa có địa chỉ liên lạc "
        "(không nhận được nhắc nhở)."
    )
    assert asyncio.run(_reminders(cli_db)) == []
    later = invoke("remind", "run", "--date", "22/07/2024")  # after the deadline: overdue
    assert "overdue" in later and "binh@b.vn" in later


def test_remind_preview_sends_nothing(cli_db: str) -> None:
    out = invoke("remind", "preview", "--date", "16/07/2024")
    assert "before-3" in out
    assert "binh@b.vn" in out  # B has not sent; A has (on 20/7, but preview uses today's data)
    assert "vp@a.vn" not in out
    assert out.rstrip().endswith("1 tin nhắn tới 1 đơn vị vào ngày 16/07/2024.")
    assert invoke("remind", "preview", "--date", "2024-07-17").startswith("Không có nhắc nhở")
    assert asyncio.run(_reminders(cli_db)) == []


def test_remind_run_sends_what_is_due_today_once(
    cli_db: str, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deadline today at 23:59 with a step at 00:00 today is due whenever the test runs."""
    today = datetime.now(TZ)
    monkeypatch.setenv("NEWSDESK_SCHEDULE__DEADLINE_DAY", str(today.day))
    monkeypatch.setenv("NEWSDESK_SCHEDULE__DEADLINE_TIME", "23:59")
    monkeypatch.setenv("NEWSDESK_SCHEDULE__REMINDER_STEPS", "0@00:00")
    monkeypatch.setenv("NEWSDESK_SCHEDULE__OVERDUE_REMINDER", "false")
    monkeypatch.setenv("NEWSDESK_SCHEDULE__SKIP_WEEKENDS", "false")
    monkeypatch.setenv("NEWSDESK_SCHEDULE__SKIP_HOLIDAYS", "false")
    monkeypatch.setenv("NEWSDESK_SMTP__HOST", smtp_sink.host)
    monkeypatch.setenv("NEWSDESK_SMTP__PORT", str(smtp_sink.port))
    monkeypatch.setenv("NEWSDESK_SMTP__START_TLS", "false")
    assert (
        invoke("remind", "run").strip()
        == "Đã xếp hàng 2 nhắc nhở mới tới 2 đơn vị; đã gửi 2 tin từ hàng đợi."
    )
    assert invoke("remind", "run").strip().splitlines() == [
        "2 nhắc nhở đến hạn đều đã được xếp hàng từ trước.",
        "Đã xếp hàng 0 nhắc nhở mới tới 0 đơn vị; đã gửi 0 tin từ hàng đợi.",
    ]
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == ["binh@b.vn", "vp@a.vn"]


def test_remind_run_says_nothing_was_due(cli_db: str) -> None:
    assert invoke("remind", "run", "--queue-only").strip().splitlines() == [
        "Hiện không có nhắc nhở nào đến hạn.",
        "Đã xếp hàng 0 nhắc nhở mới tới 0 đơn vị; đã gửi 0 tin từ hàng đợi.",
    ]


def test_remind_run_says_another_instance_holds_the_lock(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN another instance in the middle of the reminder sweep (holding its lease) WHEN an
    operator runs `remind run` THEN it says so instead of "0 queued"."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSDESK_DATABASE__URL", database_url)

    async def other_instance_holds() -> bool:
        async with Database(database_url) as db, db.session() as session:
            taken = await acquire(session=session, name=lease_name("reminders"),
                                  holder="other:1:a", now=utcnow(), ttl=JOB_LEASE)  # fmt: skip
            await session.commit()
        return taken

    assert asyncio.run(other_instance_holds())
    out = invoke("remind", "run")
    assert "một phiên bản khác của dịch vụ đang chạy đợt nhắc nhở" in out
    assert "Đã xếp hàng" not in out
