"""Every console route, walked as anonymous, leader, editor and admin: exactly the allowed set."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from storage.db import Database
from storage.logins import Role, issue_link, redeem_link
from storage.models import Submission
from tests.integration.web.console.harness import Console, ConsoleFactory, csrf_of
from tests.support.seed import add_submission, add_unit, local
from web.console import pages, registry_pages

pytestmark = pytest.mark.integration
ROUTES = [*pages.ROUTES, *registry_pages.ROUTES]
ANON = "anonymous"
LEADER, EDITOR, ADMIN = Role.LEADER.value, Role.EDITOR.value, Role.ADMIN.value
EVERYONE = {ANON, LEADER, EDITOR, ADMIN}
READERS = {LEADER, EDITOR, ADMIN}
EDITORS = {EDITOR, ADMIN}
ADMINS = {ADMIN}

# Who may use each route. A new route must be added here, or the walk fails.
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("GET", "/dang-nhap"): EVERYONE,
    ("GET", "/dang-nhap/{token}"): EVERYONE,
    ("POST", "/dang-nhap/{token}"): EVERYONE,
    ("GET", "/"): READERS,
    ("GET", "/bao-cao"): READERS,
    ("GET", "/don-vi/{unit_id}"): READERS,
    ("GET", "/phien"): ADMINS,
    ("POST", "/phien/{session_id}/thu-hoi"): ADMINS,
    ("GET", "/duyet"): EDITORS,
    ("GET", "/duyet/{submission_id}"): EDITORS,
    ("POST", "/duyet/{submission_id}"): EDITORS,
    ("GET", "/duyet/{submission_id}/xem-truoc"): EDITORS,
    ("GET", "/duyet/{submission_id}/tep/{attachment_id}"): EDITORS,
    ("GET", "/dang-tin"): EDITORS,
    ("POST", "/dang-tin/{publication_id}/thu-lai"): EDITORS,
    ("POST", "/dang-tin/{publication_id}/go"): EDITORS,
    ("GET", "/danh-muc"): ADMINS,
    ("POST", "/danh-muc/don-vi/{unit_id}/can-bo"): ADMINS,
    ("POST", "/danh-muc/can-bo/{officer_id}/ket-thuc"): ADMINS,
    ("POST", "/danh-muc/don-vi/{unit_id}/moi"): ADMINS,
    ("POST", "/danh-muc/nhap-can-bo"): ADMINS,
    ("POST", "/danh-muc/nhap-don-vi"): ADMINS,
    ("POST", "/danh-muc/don-vi/{unit_id}"): ADMINS,
    ("POST", "/danh-muc/bien-tap-vien"): ADMINS,
    ("GET", "/danh-muc/don-vi.csv"): ADMINS,
    ("GET", "/danh-muc/can-bo.csv"): ADMINS,
    ("POST", "/danh-muc/lanh-dao"): ADMINS,
    ("POST", "/danh-muc/lanh-dao/{leader_id}/ket-thuc"): ADMINS,
    ("GET", "/don-vi/{unit_id}/ap-phich"): READERS,
    ("GET", "/don-vi/{unit_id}/ap-phich.png"): READERS,
    ("POST", "/dang-xuat"): READERS,  # walked last: it ends the session
}


async def spare_session(console: Console) -> int:
    """A session of its own for the revoke route to end (not the walker's)."""
    async with console.db.session() as session:
        token = await issue_link(
            session=session,
            role=Role.LEADER,
            now=console.clock.now(),
            via="test",
            leader_id=console.people[Role.LEADER],
        )
        _, who = await redeem_link(
            session=session, token=token, now=console.clock.now(), client=""
        )
        await session.commit()
    return who.session_id


def refused(status: int, location: str) -> bool:
    return status in (401, 403) or (status == 303 and location == "/dang-nhap")


async def walk(console: Console, client: TestClient, values: dict[str, str]) -> set[tuple]:
    """The routes this browser may use."""
    await client.get("/dang-nhap")  # a CSRF cookie, as any page gives
    allowed = set()
    order = sorted(ROUTES, key=lambda r: r[1] == "/dang-xuat")
    for method, path, _ in order:
        url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
        if "{session_id}" in path:
            url = url.replace(values["session_id"], str(await spare_session(console)))
        if method == "GET":
            response = await client.get(url, allow_redirects=False)
        else:
            response = await client.post(
                url, data={"csrf": csrf_of(client)}, allow_redirects=False
            )
        assert response.status < 500, (method, path, response.status)
        if not refused(response.status, response.headers.get("Location", "")):
            allowed.add((method, path))
    return allowed


async def test_every_route_answers_exactly_the_allowed_roles(
    sqlite_url: str, make_console: ConsoleFactory
) -> None:
    assert {(m, p) for m, p, _ in ROUTES} == set(ALLOWED)
    async with Database(sqlite_url) as db:
        unit = await add_unit(db, "so-a", "Sở A")
        code = await add_submission(db, unit, local(2026, 7, 2, 9))
        console = await make_console(db)
        async with db.session() as session:
            submission = (
                await session.exec(select(Submission).where(Submission.code == code))
            ).one()
        values = {
            "token": "x" * 43,
            "unit_id": str(unit),
            "session_id": "0",
            "submission_id": str(submission.id),
            "attachment_id": "0",
            "publication_id": "0",
            "officer_id": "0",
            "leader_id": "0",
        }
        for role in (None, Role.LEADER, Role.EDITOR, Role.ADMIN):
            client = await console.client(role)
            name = role.value if role else ANON
            expected = {route for route, who in ALLOWED.items() if name in who}
            assert await walk(console, client, values) == expected, name
