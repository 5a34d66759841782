"""Quarantine: an editor names the unit of an unknown sender's submission (CLI)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from domain.kinds import Channel
from domain.states import SubmissionStatus as S
from intake.accept import Incoming, accept
from main import app
from settings import DEFAULT_UNITS_CSV
from storage.db import Database
from storage.files import FileStore
from storage.models import OutboxMessage, Submission, UnitAddress

pytestmark = pytest.mark.integration
DEFAULT_UNITS = DEFAULT_UNITS_CSV


async def _quarantined(url: str, files: FileStore) -> str:
    async with Database(url) as db, db.session() as session:
        result = await accept(
            Incoming(
                channel=Channel.EMAIL,
                source_key="email:unknown",
                received_at=datetime(2024, 7, 8, 3, tzinfo=UTC),
                sender="phongvanhoa@gmail.com",
                sender_name="Phòng Văn hóa",
                title="Lễ hội truyền thống",
                text="Nội dung",
                reply_to_message_id="<m1@gmail.com>",
            ),
            session=session,
            files=files,
        )
        await session.commit()
        assert result.submission.status == S.QUARANTINED
        return result.submission.code


def test_editor_assigns_unit_and_remembers_sender(
    database_url: str, files: FileStore, tmp_path: Path
) -> None:
    """GIVEN a quarantined mail WHEN an editor assigns it THEN it waits for review, the
    sender hears back (threaded), and their next mail maps to the unit."""
    runner = CliRunner()
    env = {"NEWSDESK_DATABASE__URL": database_url, "NEWSDESK_DATA_DIR": str(tmp_path)}
    assert runner.invoke(app, ["units", "import", str(DEFAULT_UNITS)], env=env).exit_code == 0
    code = asyncio.run(_quarantined(database_url, files))
    listed = runner.invoke(app, ["review", "quarantine"], env=env)
    assert code in listed.output and "phongvanhoa@gmail.com" in listed.output
    bad = runner.invoke(app, ["review", "assign", code, "--unit", "khong-co"], env=env)
    assert bad.exit_code == 1 and "Không tìm thấy đơn vị «khong-co»" in bad.output
    # A name matches without diacritics; several matches are listed with their codes.
    many = runner.invoke(app, ["review", "assign", code, "--unit", "thai binh"], env=env)
    assert many.exit_code == 1 and "Có nhiều đơn vị khớp «thai binh»" in many.output
    assert "Báo Thái Bình (bao-thai-binh)" in many.output
    assert "Ủy ban nhân dân thành phố Thái Bình (tp-thai-binh)" in many.output
    ok = runner.invoke(
        app, ["review", "assign", code, "--unit", "vu thu", "--remember", "--by", "Hà"], env=env
    )
    assert ok.exit_code == 0, ok.output
    assert "Ủy ban nhân dân huyện Vũ Thư" in ok.output
    again = runner.invoke(app, ["review", "assign", code, "--unit", "Vũ Thư"], env=env)
    assert again.exit_code == 1 and "không ở trạng thái chờ xác minh" in again.output

    async def check() -> tuple[Submission, list[OutboxMessage], int | None]:
        async with Database(database_url) as db, db.session() as session:
            sub = (await session.exec(select(Submission))).one()
            mails = list((await session.exec(select(OutboxMessage))).all())
            remembered = select(UnitAddress.unit_id).where(
                UnitAddress.value == "phongvanhoa@gmail.com"
            )
            return sub, mails, (await session.exec(remembered)).one_or_none()

    sub, mails, unit_id = asyncio.run(check())
    assert sub.status == S.PENDING_REVIEW and sub.unit_id == unit_id is not None
    assert [(m.recipient, m.in_reply_to) for m in mails] == [
        ("phongvanhoa@gmail.com", "<m1@gmail.com>")
    ]
    assert "Ủy ban nhân dân huyện Vũ Thư" in mails[0].body
    units = json.loads(runner.invoke(app, ["units", "list", "--json"], env=env).output)
    assert (
        "phongvanhoa@gmail.com" in next(u for u in units if u["code"] == "h-vu-thu")["addresses"]
    )


def test_editor_dismisses_junk_from_the_queue(
    database_url: str, files: FileStore, tmp_path: Path
) -> None:
    """GIVEN a quarantined mail that is not a submission WHEN an editor dismisses it (a reason
    is required) THEN it leaves the queue as rejected, with who and why, and nobody is told."""
    runner = CliRunner()
    env = {"NEWSDESK_DATABASE__URL": database_url, "NEWSDESK_DATA_DIR": str(tmp_path)}
    code = asyncio.run(_quarantined(database_url, files))
    bare = runner.invoke(app, ["review", "dismiss", code], env=env)
    assert bare.exit_code == 1 and "Cần ghi lý do" in bare.output
    ok = runner.invoke(
        app, ["review", "dismiss", code, "--reason", "Thư rác", "--by", "Hà"], env=env
    )
    assert ok.exit_code == 0 and "Đã loại bỏ tin, bài" in ok.output, ok.output
    again = runner.invoke(app, ["review", "dismiss", code, "--reason", "x"], env=env)
    assert again.exit_code == 1 and "không ở trạng thái chờ xác minh" in again.output
    listed = runner.invoke(app, ["review", "quarantine"], env=env)
    assert code not in listed.output

    async def check() -> tuple[Submission, list[OutboxMessage]]:
        async with Database(database_url) as db, db.session() as session:
            sub = (await session.exec(select(Submission))).one()
            return sub, list((await session.exec(select(OutboxMessage))).all())

    sub, mails = asyncio.run(check())
    assert (sub.status, sub.decided_by, sub.decision_reason) == (S.REJECTED, "Hà", "Thư rác")
    assert mails == []


async def test_unit_names_match_without_diacritics(database: Database) -> None:
    """«Xác định đơn vị gửi»: "Tiền Hải", "tien hai" and the code all find h-tien-hai."""
    from datetime import date

    from storage.registry import find_units
    from storage.registry_import import import_units

    await import_units(database, DEFAULT_UNITS.read_text(encoding="utf-8"))
    async with database.session() as session:
        for text in ("Tiền Hải", "tien hai", "TIEN  HAI", "h-tien-hai", "huyện tiền hải"):
            found = await find_units(session=session, text=text, today=date(2026, 12, 6))
            assert [u.code for u in found] == ["h-tien-hai"], text
        many = await find_units(session=session, text="Thái Bình", today=date(2026, 12, 6))
        assert sorted(u.code for u in many) == ["bao-thai-binh", "dai-ptth-thai-binh",
                                                "tp-thai-binh"]  # fmt: skip
        assert await find_units(session=session, text="Hà Nội", today=date(2026, 12, 6)) == []
