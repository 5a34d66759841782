"""The console on a real aiohttp server over loopback, with a session per role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from domain.clock import FixedClock
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.leaders import create_leader
from storage.logins import Role, issue_link
from storage.registry import create_editor
from web.console.app import setup_console
from web.console.deps import ConsoleDeps
from web.console.security import CSRF_COOKIE
from web.server import create_app

NOW = datetime(2026, 7, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


@dataclass
class Console:
    """A running console; `client(role)` is a browser logged in with that role."""

    db: Database
    clock: FixedClock
    deps: ConsoleDeps
    server: TestServer
    people: dict[Role, int]
    clients: list[TestClient] = field(default_factory=list)
    wakes: list[str] = field(default_factory=list)

    async def anonymous(self) -> TestClient:
        client = TestClient(self.server)
        await client.start_server()
        self.clients.append(client)
        return client

    async def link(self, role: Role) -> str:
        person = self.people[role]
        async with self.db.session() as session:
            token = await issue_link(
                session=session,
                role=role,
                now=self.clock.now(),
                via="test",
                editor_id=None if role is Role.LEADER else person,
                leader_id=person if role is Role.LEADER else None,
            )
            await session.commit()
        return token

    async def client(self, role: Role | None) -> TestClient:
        """A fresh browser; logged in through a link, as a person would, unless None."""
        client = await self.anonymous()
        if role is None:
            return client
        token = await self.link(role)
        page = await client.get(f"/dang-nhap/{token}")
        assert page.status == 200
        done = await client.post(
            f"/dang-nhap/{token}", data={"csrf": csrf_of(client)}, allow_redirects=False
        )
        assert done.status == 303, await done.text()
        return client


def csrf_of(client: TestClient) -> str:
    for cookie in client.session.cookie_jar:
        if cookie.key == CSRF_COOKIE:
            return cookie.value
    raise AssertionError("no CSRF cookie yet: GET a page first")


ConsoleFactory = Callable[..., Awaitable[Console]]


@pytest.fixture
async def make_console(tmp_path: Path) -> AsyncIterator[ConsoleFactory]:
    made: list[Console] = []

    async def make(db: Database, **settings: object) -> Console:
        clock = FixedClock(NOW)
        config = Settings(data_dir=tmp_path / "data", **settings)  # type: ignore[arg-type]
        app = create_app(db)
        wakes: list[str] = []
        deps = ConsoleDeps(
            db=db,
            settings=config,
            clock=clock,
            files=FileStore(tmp_path / "files"),
            wake_cards=lambda: wakes.append("cards"),
            wake_outbox=lambda: wakes.append("outbox"),
            wake_publisher=lambda: wakes.append("publisher"),
        )
        setup_console(app, deps)
        async with db.session() as session:
            editor = await create_editor(session=session, full_name="Trần Thị Biên", email=None)
            admin = await create_editor(session=session, full_name="Lê Văn Quản", email=None)
            leader = await create_leader(
                session=session, full_name="Nguyễn Văn Lãnh", email="ld@so.gov.vn", now=NOW
            )
            await session.commit()
        assert editor.id and admin.id and leader.id
        server = TestServer(app)
        await server.start_server()
        console = Console(
            db=db,
            clock=clock,
            deps=deps,
            server=server,
            people={Role.EDITOR: editor.id, Role.ADMIN: admin.id, Role.LEADER: leader.id},
            wakes=wakes,
        )
        made.append(console)
        return console

    yield make
    for console in made:
        for client in console.clients:
            await client.close()
        await console.server.close()
