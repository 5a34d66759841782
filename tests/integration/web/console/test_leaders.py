"""The leaders registry: CLI, login links from the CLI, and the monthly report reaching leaders."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from main import app
from scheduler.monthly import send_monthly_report
from storage.db import Database
from storage.files import FileStore
from storage.leaders import create_leader, end_leader
from storage.logins import hash_token
from storage.models import OutboxMessage, WebLoginToken
from tests.support.seed import add_unit, local, make_config

pytestmark = pytest.mark.integration


@pytest.fixture
def cli(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {
        "NEWSDESK_DATABASE__URL": database_url,
        "NEWSDESK_DATA_DIR": str(tmp_path / "data"),
        "NEWSDESK_WEB__PUBLIC_BASE_URL": "https://tin.example.vn/",
    }

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    return invoke


def test_leaders_cli_and_login_links(cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    code, out = cli("leaders", "add", "--name", "Phạm  Văn Giám", "--email", "GD@so.gov.vn")
    assert code == 0 and "Đã thêm lãnh đạo #1: Phạm Văn Giám" in out
    leaders = json.loads(cli("leaders", "list", "--json")[1])
    assert [(x["full_name"], x["email"]) for x in leaders] == [("Phạm Văn Giám", "gd@so.gov.vn")]

    code, out = cli("web", "login-link", "--leader", "1")
    url = out.splitlines()[0]
    assert code == 0 and url.startswith("https://tin.example.vn/dang-nhap/")
    assert "15 phút" in out
    code, out = cli("web", "login-link", "--editor", "7")
    assert code == 1 and "Không có biên tập viên đang hoạt động với mã #7." in out
    code, out = cli("web", "login-link", "--leader", "1", "--editor", "1")
    assert code == 1 and "Chọn đúng một" in out
    assert json.loads(cli("web", "sessions", "list", "--json")[1]) == []

    assert cli("leaders", "end", "1")[0] == 0
    assert json.loads(cli("leaders", "list", "--json")[1]) == []
    assert len(json.loads(cli("leaders", "list", "--all", "--json")[1])) == 1
    code, out = cli("web", "login-link", "--leader", "1")
    assert code == 1 and "Không có lãnh đạo đang đương nhiệm với mã #1." in out
    code, out = cli("web", "sessions", "revoke", "9")
    assert code == 1 and "Không có phiên đang mở với mã #9." in out

    async def stored() -> list[str]:
        async with Database(database_url) as db, db.session() as session:
            return [r.token_hash for r in (await session.exec(select(WebLoginToken))).all()]

    assert asyncio.run(stored()) == [hash_token(url.rsplit("/", 1)[1])]


async def test_monthly_report_goes_to_leaders_too(database: Database, files: FileStore) -> None:
    await add_unit(database, "a", "Sở A")
    async with database.session() as session:
        await create_leader(
            session=session, full_name="Lãnh đạo A", email="a@so.gov.vn", now=local(2024, 1, 1)
        )
        gone = await create_leader(
            session=session, full_name="Lãnh đạo B", email="b@so.gov.vn", now=local(2024, 1, 1)
        )
        twice = await create_leader(
            session=session,
            full_name="Lãnh đạo C",
            email="LanhDao@stttt.example.vn",
            now=local(2024, 1, 1),
        )
        assert gone.id and twice.id
        await end_leader(session=session, leader_id=gone.id, at=local(2024, 6, 1))
        await session.commit()
    config = make_config(day=19, editors_chat_id=None)
    due = local(2024, 8, 3, 8, 0)
    assert await send_monthly_report(db=database, files=files, config=config, now=due)
    async with database.session() as session:
        mails = (await session.exec(select(OutboxMessage))).all()
    assert sorted(m.recipient for m in mails) == ["a@so.gov.vn", "lanhdao@stttt.example.vn"]
    assert all(m.attachments for m in mails)


async def test_leaders_alone_are_enough_recipients(database: Database, files: FileStore) -> None:
    await add_unit(database, "a", "Sở A")
    async with database.session() as session:
        await create_leader(
            session=session, full_name="Lãnh đạo A", email="a@so.gov.vn", now=local(2024, 1, 1)
        )
        await session.commit()
    config = make_config(day=19, editors_chat_id=None, leadership_emails=())
    due = local(2024, 8, 3, 8, 0)
    assert await send_monthly_report(db=database, files=files, config=config, now=due) == "2024-07"
