"""One INFO line per event (issue 17, item 10): stored from the drop folder, quarantined,
decided, published, reminder and report queued, message sent; codes and ids, never an
address, a name or a phone; the log's timestamp carries its time zone."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from domain.clock import FixedClock
from domain.states import SubmissionStatus as S
from intake.email.dropfolder import DropFolderReader
from review.service import decide
from runtime.logs import JsonFormatter, LocalFormatter
from scheduler.monthly import send_monthly_report
from scheduler.service import remind_due
from storage.db import Database
from storage.files import FileStore
from storage.submissions import transition
from tests.integration.intake.email.helpers import mail, seed_officer, sink, submissions
from tests.support.seed import (
    add_officer,
    add_unit,
    email_worker,
    local,
    make_config,
)
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.integration
PERSONAL = ("lan.nt", "nguoila", "Nguyễn Thị Lan", "Trần Văn An", "@", "+84")


def events(caplog: pytest.LogCaptureFixture, prefix: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.INFO and r.getMessage().startswith(prefix)
    ]


async def test_each_event_is_one_info_line_without_personal_data(
    database: Database,
    files: FileStore,
    tmp_path: Path,
    smtp_sink: SmtpSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await seed_officer(database)
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.eml").write_bytes(mail(1))
    (folder / "b.eml").write_bytes(mail(2, sender="nguoila@gmail.com"))
    reader = DropFolderReader(folder=folder, sink=sink(database, files), max_message_bytes=10**6)
    assert await reader.sweep() == 2
    stored, quarantined = sorted(await submissions(database), key=lambda s: s.status)
    [line] = events(caplog, "intake.stored")
    assert line == (
        f"intake.stored code={stored.code} unit={stored.unit_id} channel=email source=drop-folder"
    )
    [line] = events(caplog, "intake.quarantined")
    assert line.startswith(f"intake.quarantined code={quarantined.code} channel=email")

    async with database.session() as session:
        sub = await decide(
            session=session, submission_id=stored.id or 0, expected_version=stored.version,
            decision=S.APPROVED, editor_name="Trần Văn An", actor="editor:7",
            now=local(2024, 7, 3, 9),
        )  # fmt: skip
        for old, new in [(S.APPROVED, S.SCHEDULED), (S.SCHEDULED, S.PUBLISHING),
                         (S.PUBLISHING, S.PUBLISHED)]:  # fmt: skip
            sub = await transition(
                session=session, submission_id=sub.id or 0, expected_status=old,
                expected_version=sub.version, new_status=new, actor="publisher",
            )  # fmt: skip
        await session.commit()
    [decided] = events(caplog, "submission.review.approved")
    assert decided == (
        f"submission.review.approved code={stored.code} unit={stored.unit_id} channel=email "
        "outcome=approved by=editor:7"
    )
    [published] = events(caplog, "submission.published")
    assert f"code={stored.code}" in published and "outcome=published" in published

    a = await add_unit(database, "a", "Sở A")
    await add_officer(database, a, "Nguyễn Thị Lan", email="lan.nt@a.vn")
    config = replace(make_config(day=19), editors_chat_id=None)
    now = local(2024, 7, 12, 8, 0)
    result = await remind_due(db=database, config=config, now=now)
    assert result.new
    reminders = events(caplog, "reminder.queued")
    assert reminders == [
        f"reminder.queued unit={m.unit_id} period=2024-07 step={m.step} channel=email"
        for m in result.new
    ]
    assert await send_monthly_report(db=database, files=files, config=config,
                                     now=local(2024, 8, 3, 8)) == "2024-07"  # fmt: skip
    assert events(caplog, "report.queued") == ["report.queued period=2024-07 recipients=1"]
    sent = await email_worker(database, smtp_sink, files, FixedClock(local(2024, 8, 3, 9))).drain()
    assert sent >= 2
    kinds = {line.split(" kind=")[1].split()[0] for line in events(caplog, "outbox.sent")}
    assert {"reminder", "report"} <= kinds

    ours = ("intake.", "submission.", "reminder.", "report.", "outbox.")
    lines = [line for prefix in ours for line in events(caplog, prefix)]
    assert len(lines) >= 10 and not [m for m in lines if any(p in m for p in PERSONAL)]


def test_log_times_carry_the_zone() -> None:
    record = logging.LogRecord("newsdesk", logging.INFO, __file__, 1, "x", None, None)
    record.created = 1_764_993_600.0  # 2025-12-06 04:00:00 UTC
    line = LocalFormatter("%(asctime)s %(message)s").format(record)
    assert line.startswith("2025-12-06T11:00:00.000+07:00 x")
    assert '"ts": "2025-12-06T11:00:00.000+07:00"' in JsonFormatter().format(record)
