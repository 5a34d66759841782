"""`review` and `officers invite` from the command line (the same service as the buttons)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from domain.kinds import Channel
from domain.periods import TZ
from intake.accept import Incoming, accept
from main import app
from storage.db import Database
from storage.files import FileStore
from storage.models import InviteCode, OutboxMessage, Submission
from tests.support.bot import seed

pytestmark = pytest.mark.integration


async def prepare(url: str, files: FileStore) -> tuple[str, str]:
    async with Database(url) as db:
        unit_id, _ = await seed(db)
        codes = []
        async with db.session() as session:
            for n, sender in enumerate(("vanthu@soyte.example.vn", "tg:1001")):
                incoming = Incoming(
                    channel=Channel.EMAIL if "@" in sender else Channel.TELEGRAM,
                    source_key=f"cli-{n}",
                    received_at=datetime.now(UTC),
                    sender=sender,
                    title=f"Bài số {n}",
                    text="Nội dung bài",
                    unit_id=unit_id,
                    telegram_chat_id=None if "@" in sender else 1001,
                )
                codes.append(
                    (await accept(incoming, session=session, files=files)).submission.code
                )
            await session.commit()
    return codes[0], codes[1]


async def rows(url: str, model: type) -> list:  # type: ignore[type-arg]
    async with Database(url) as db, db.session() as session:
        return list((await session.exec(select(model))).all())


def test_review_commands(sqlite_url: str, tmp_path: Path) -> None:
    files = FileStore(tmp_path / "data" / "files")
    mail_code, tg_code = asyncio.run(prepare(sqlite_url, files))
    env = {"NEWSDESK_DATABASE__URL": sqlite_url, "NEWSDESK_DATA_DIR": str(tmp_path / "data")}
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    code, out = cli("review", "list")
    assert code == 0 and mail_code in out and tg_code in out and "Sở Y tế" in out
    code, out = cli("review", "schedule", tg_code, "--at", "hôm nào đó")
    assert code == 1 and "Chưa đặt được giờ đăng: không hiểu «hôm nào đó»" in out
    code, out = cli("review", "schedule", tg_code, "--at", "08:00 27/11/2030")
    assert code == 0 and "sẽ được đăng lúc 08:00 ngày 27/11/2030" in out
    code, out = cli("review", "show", tg_code)
    assert "Hẹn đăng: 08:00 ngày 27/11/2030" in out and "Hẹn giờ đăng" in out
    assert "review.edit_publish_at" not in out  # audit actions in Vietnamese
    code, out = cli("review", "reject", mail_code, "--by", "Trần Văn An")
    assert code == 1 and "Cần ghi lý do" in out
    code, out = cli("review", "reject", mail_code, "--reason", "Ảnh mờ", "--by", "Trần Văn An")
    assert code == 0 and "Không được duyệt" in out
    code, out = cli("review", "schedule", mail_code, "--at", "08:00 27/11/2030")
    assert code == 1 and "Chỉ hẹn giờ đăng được khi tin, bài đang chờ duyệt" in out
    code, out = cli("review", "approve", mail_code, "--by", "Lê Thị Bình")
    assert code == 1 and "đã được Trần Văn An xử lý trước" in out
    code, out = cli("review", "request-changes", tg_code, "--reason", "Thêm ảnh", "--by", "An")
    assert code == 0 and "Cần chỉnh sửa" in out and "phiên bản" not in out
    code, out = cli("review", "show", mail_code)
    assert code == 0 and "Trần Văn An đã từ chối lúc" in out and "Từ chối (Ảnh mờ)" in out
    assert cli("review", "list")[1].strip() == "Không có tin, bài nào đang chờ duyệt."
    assert cli("review", "show", "2099-01-0001")[0] == 1
    outbox = asyncio.run(rows(sqlite_url, OutboxMessage))
    assert sorted((m.channel, m.recipient) for m in outbox) == [
        ("email", "vanthu@soyte.example.vn"),
        ("telegram", "1001"),
    ]
    assert all(s.decided_at for s in asyncio.run(rows(sqlite_url, Submission)))


def test_officers_invite(sqlite_url: str, tmp_path: Path) -> None:
    async def unit() -> None:
        async with Database(sqlite_url) as db:
            await seed(db)

    asyncio.run(unit())
    env = {
        "NEWSDESK_DATABASE__URL": sqlite_url,
        "NEWSDESK_DATA_DIR": str(tmp_path / "data"),
        "NEWSDESK_TELEGRAM__BOT_USERNAME": "newsdesk_bot",
    }
    result = CliRunner().invoke(app, ["officers", "invite", "so-yte", "--days", "3"], env=env)
    assert result.exit_code == 0, result.output
    match = re.search(r"https://t\.me/newsdesk_bot\?start=([A-Z0-9]{10})", result.output)
    assert match
    [invite] = asyncio.run(rows(sqlite_url, InviteCode))
    assert invite.code == match[1] and invite.used_at is None
    assert (invite.expires_at - invite.created_at).days == 3
    until = invite.expires_at.astimezone(TZ)  # the expiry in local time, never UTC
    assert f"hết hạn lúc {until:%H:%M} ngày {until:%d/%m/%Y})" in result.output
    assert "UTC" not in result.output
    bad = CliRunner().invoke(app, ["officers", "invite", "khong-co"], env=env)
    assert bad.exit_code == 1 and "Không có đơn vị" in bad.output


def test_decision_mail_is_official_and_the_approval_says_when(
    sqlite_url: str, tmp_path: Path
) -> None:
    """GIVEN two mailed items, one with a publish slot WHEN both are approved from the CLI
    THEN each decision mail has a salutation and the office's sign-off (the Department's name
    from settings, never "Newsdesk"), and says when the item will be published."""
    files = FileStore(tmp_path / "data" / "files")

    async def two_mails() -> list[str]:
        async with Database(sqlite_url) as db:
            unit_id, _ = await seed(db)
            async with db.session() as session:
                codes = []
                for n in range(2):
                    incoming = Incoming(
                        channel=Channel.EMAIL, source_key=f"mail-{n}",
                        received_at=datetime.now(UTC), sender=f"vanthu{n}@soyte.example.vn",
                        title=f"Bài số {n}", text="Nội dung", unit_id=unit_id,
                    )  # fmt: skip
                    codes.append(
                        (await accept(incoming, session=session, files=files)).submission.code
                    )
                await session.commit()
        return codes

    slotted, soon = asyncio.run(two_mails())
    env = {
        "NEWSDESK_DATABASE__URL": sqlite_url,
        "NEWSDESK_DATA_DIR": str(tmp_path / "data"),
        "NEWSDESK_ORG__DEPARTMENT_NAME": "Sở Văn hóa, Thể thao và Du lịch",
    }
    runner = CliRunner()
    for args in (
        ["review", "schedule", slotted, "--at", "08:00 27/11/2030"],
        ["review", "approve", slotted, "--by", "Trần Văn An"],
        ["review", "approve", soon, "--by", "Trần Văn An"],
    ):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    mails = {m.recipient: m for m in asyncio.run(rows(sqlite_url, OutboxMessage))}
    first, second = mails["vanthu0@soyte.example.vn"], mails["vanthu1@soyte.example.vn"]
    for mail in (first, second):
        assert mail.body.startswith("Kính gửi Quý cơ quan, đơn vị,\n\n")
        assert mail.body.endswith(
            "Trân trọng,\nBan Biên tập Trang Zalo OA “Công dân số Thái Bình”\n"
            "Sở Văn hóa, Thể thao và Du lịch"
        )
        assert "Newsdesk" not in mail.body + mail.subject
    assert "sẽ được đăng trên Trang Zalo OA “Công dân số Thái Bình” lúc 08:00 ngày 27/11/2030" in (
        first.body
    )
    soon = "trong thời gian sớm nhất (tin, bài được đăng từ 07:00 đến 21:00 hằng ngày)"
    assert soon in second.body


def test_review_edit_refuses_a_body_file_that_is_not_utf8(sqlite_url: str, tmp_path: Path) -> None:
    """GIVEN a body file saved in windows-1258 (Notepad's default on a Vietnamese Windows)
    WHEN `review edit --body-file` reads it THEN a Vietnamese explanation, exit 1, and the
    submission keeps its revision (before: a UnicodeDecodeError traceback)."""
    files = FileStore(tmp_path / "data" / "files")
    mail_code, _ = asyncio.run(prepare(sqlite_url, files))
    env = {"NEWSDESK_DATABASE__URL": sqlite_url, "NEWSDESK_DATA_DIR": str(tmp_path / "data")}
    body = tmp_path / "noi-dung.txt"
    body.write_bytes(b"Tin b\xe0i \xf0\xf5n")  # "Tin bài đơn" in windows-1258
    result = CliRunner().invoke(
        app, ["review", "edit", mail_code, "--body-file", str(body), "--by", "An"], env=env
    )
    assert result.exit_code == 1, result.output
    assert "không phải văn bản UTF-8" in result.output and "Chưa sửa gì" in result.output
    [sub] = [s for s in asyncio.run(rows(sqlite_url, Submission)) if s.code == mail_code]
    assert sub.revision == 1
