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

from .harness import seed

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
    assert code == 0 and "sẽ được đăng lúc 08:00 27/11/2030" in out
    code, out = cli("review", "show", tg_code)
    assert "Hẹn đăng: 08:00 27/11/2030" in out and "Hẹn giờ đăng" in out
    assert "review.edit_publish_at" not in out  # audit actions in Vietnamese
    code, out = cli("review", "reject", mail_code, "--by", "Trần Văn An")
    assert code == 1 and "Cần ghi lý do" in out
    code, out = cli("review", "reject", mail_code, "--reason", "Ảnh mờ", "--by", "Trần Văn An")
    assert code == 0 and "Không duyệt" in out
    code, out = cli("review", "schedule", mail_code, "--at", "08:00 27/11/2030")
    assert code == 1 and "Chỉ hẹn giờ đăng được khi bài đang chờ duyệt" in out
    code, out = cli("review", "approve", mail_code, "--by", "Lê Thị Bình")
    assert code == 1 and "đã được Trần Văn An xử lý trước" in out
    code, out = cli("review", "request-changes", tg_code, "--reason", "Thêm ảnh", "--by", "An")
    assert code == 0 and "Cần chỉnh sửa" in out and "phiên bản" not in out
    code, out = cli("review", "show", mail_code)
    assert code == 0 and "Không duyệt bởi Trần Văn An" in out and "Từ chối (Ảnh mờ)" in out
    assert cli("review", "list")[1].strip() == "Không có bài nào đang chờ duyệt."
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
