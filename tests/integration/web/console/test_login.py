"""Passwordless login: one-time links, sessions, cookies, rate limits, CSRF and headers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from storage.db import Database
from storage.logins import (
    LINK_EXPIRED,
    LINK_INVALID,
    LoginRefusedError,
    Role,
    hash_token,
    identify,
    redeem_link,
)
from storage.models import WebLoginToken, WebSession
from tests.integration.web.console.harness import Console, ConsoleFactory, csrf_of
from web.console.security import CSP, CSRF_COOKIE, SESSION_COOKIE

pytestmark = pytest.mark.integration


async def _open(console: Console, token: str) -> tuple[int, str, str]:
    """Open a link in a fresh browser: (status, page text, Set-Cookie header)."""
    client = await console.anonymous()
    await client.get(f"/dang-nhap/{token}")
    response = await client.post(
        f"/dang-nhap/{token}", data={"csrf": csrf_of(client)}, allow_redirects=False
    )
    cookie = ";".join(response.headers.getall("Set-Cookie", []))
    return response.status, await response.text(), cookie


async def test_link_opens_a_session_once_and_is_stored_hashed(
    database: Database, make_console: ConsoleFactory
) -> None:
    console = await make_console(database)
    token = await console.link(Role.LEADER)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    async with database.session() as session:
        rows = (await session.exec(select(WebLoginToken))).all()
    assert [r.token_hash for r in rows] == [hash_token(token)]
    assert all(token not in str(r.model_dump()) for r in rows)

    client = await console.anonymous()
    preview = await client.get(f"/dang-nhap/{token}")  # a link preview does not use it up
    assert preview.status == 200 and "Xác nhận đăng nhập" in await preview.text()
    status, _, cookie = await _open(console, token)
    assert status == 303
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Max-Age=43200" in cookie and "Secure" not in cookie

    status, text, cookie = await _open(console, token)  # the second use is refused
    assert status == 400 and LINK_INVALID in text and SESSION_COOKIE not in cookie
    async with database.session() as session:
        sessions = (await session.exec(select(WebSession))).all()
    assert len(sessions) == 1 and sessions[0].role == "leader"
    assert sessions[0].display_name == "Nguyễn Văn Lãnh"


async def test_cookie_is_secure_behind_https(
    sqlite_url: str, make_console: ConsoleFactory
) -> None:
    async with Database(sqlite_url) as db:
        console = await make_console(db, web={"public_base_url": "https://newsdesk.example.vn"})
        token = await console.link(Role.EDITOR)
        client = await console.anonymous()
        form = await client.get(f"/dang-nhap/{token}")
        csrf = form.cookies[CSRF_COOKIE]
        assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
        # The test server speaks plain HTTP (TLS ends at the proxy): hand the cookie over.
        done = await client.post(
            f"/dang-nhap/{token}",
            data={"csrf": csrf.value},
            cookies={CSRF_COOKIE: csrf.value},
            allow_redirects=False,
        )
        session = done.cookies[SESSION_COOKIE]
        assert done.status == 303 and session["secure"] and session["httponly"]


async def test_link_expires_after_15_minutes(
    database: Database, make_console: ConsoleFactory
) -> None:
    console = await make_console(database)
    token = await console.link(Role.EDITOR)
    console.clock.advance(timedelta(minutes=15, seconds=1))
    status, text, _ = await _open(console, token)
    assert status == 400 and LINK_EXPIRED in text


async def test_two_clicks_at_once_open_exactly_one_session(
    pg_database: Database, make_console: ConsoleFactory
) -> None:
    console = await make_console(pg_database)
    token = await console.link(Role.EDITOR)

    async def redeem() -> str:
        async with pg_database.session() as session:
            try:
                await redeem_link(
                    session=session, token=token, now=console.clock.now(), client="x"
                )
            except LoginRefusedError:
                return "refused"
            await session.commit()
            return "opened"

    outcomes = await asyncio.gather(*(redeem() for _ in range(6)))
    assert sorted(outcomes) == ["opened"] + ["refused"] * 5


async def test_session_lasts_12_hours_and_logout_ends_it(
    database: Database, make_console: ConsoleFactory
) -> None:
    console = await make_console(database)
    client = await console.client(Role.LEADER)
    assert (await client.get("/", allow_redirects=False)).status == 200
    console.clock.advance(timedelta(hours=12, seconds=1))
    expired = await client.get("/", allow_redirects=False)
    assert expired.status == 303 and expired.headers["Location"] == "/dang-nhap"

    console.clock.advance(-timedelta(hours=12, seconds=1))
    out = await client.post("/dang-xuat", data={"csrf": csrf_of(client)}, allow_redirects=False)
    assert out.status == 303
    again = await client.get("/", allow_redirects=False)
    assert again.status == 303


async def test_admin_revokes_a_session(database: Database, make_console: ConsoleFactory) -> None:
    console = await make_console(database)
    leader = await console.client(Role.LEADER)
    admin = await console.client(Role.ADMIN)
    page = await admin.get("/phien")
    text = await page.text()
    assert page.status == 200 and "Nguyễn Văn Lãnh" in text and "Lê Văn Quản" in text
    async with database.session() as session:
        row = (await session.exec(select(WebSession).where(WebSession.role == "leader"))).one()
    done = await admin.post(
        f"/phien/{row.id}/thu-hoi", data={"csrf": csrf_of(admin)}, allow_redirects=False
    )
    assert done.status == 303
    assert (await leader.get("/", allow_redirects=False)).status == 303
    assert (await admin.get("/", allow_redirects=False)).status == 200


async def test_links_are_rate_limited_per_person(
    database: Database, make_console: ConsoleFactory
) -> None:
    console = await make_console(database)
    for _ in range(5):
        await console.link(Role.EDITOR)
    with pytest.raises(LoginRefusedError, match="trong một giờ qua"):
        await console.link(Role.EDITOR)
    await console.link(Role.LEADER)  # another person is not held back
    console.clock.advance(timedelta(hours=1, seconds=1))
    await console.link(Role.EDITOR)


async def test_login_attempts_are_rate_limited_per_address(
    sqlite_url: str, make_console: ConsoleFactory
) -> None:
    async with Database(sqlite_url) as db:
        console = await make_console(db)
        statuses = [(await _open(console, f"guess{i:040d}"))[0] for i in range(11)]
        assert statuses == [400] * 10 + [429]
        status, text, _ = await _open(console, await console.link(Role.EDITOR))
        assert status == 429 and "Quá nhiều lần thử" in text  # even a good link, for a while


async def test_forms_need_the_csrf_token(sqlite_url: str, make_console: ConsoleFactory) -> None:
    async with Database(sqlite_url) as db:
        console = await make_console(db)
        client = await console.client(Role.ADMIN)
        missing = await client.post("/dang-xuat", data={}, allow_redirects=False)
        wrong = await client.post("/dang-xuat", data={"csrf": "x" * 43}, allow_redirects=False)
        assert missing.status == 403 and wrong.status == 403
        assert "Biểu mẫu đã hết hiệu lực" in await wrong.text()
        header = await client.post(
            "/dang-xuat", headers={"X-CSRF-Token": csrf_of(client)}, allow_redirects=False
        )
        assert header.status == 303


async def test_security_headers_and_no_secret_on_pages(
    sqlite_url: str, make_console: ConsoleFactory
) -> None:
    secret = "123456:SECRET-telegram-token-xyz"
    async with Database(sqlite_url) as db:
        console = await make_console(db, telegram={"token": secret})
        client = await console.client(Role.ADMIN)
        for path in ("/", "/phien", "/dang-nhap", "/static/console/console.css"):
            response = await client.get(path)
            assert response.status == 200, path
            assert response.headers["Content-Security-Policy"] == CSP
            assert "frame-ancestors 'none'" in CSP and "unsafe-inline" not in CSP
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "no-referrer"
            body = await response.text()
            assert secret not in body and "<script>" not in body
        session_token = next(c.value for c in client.session.cookie_jar if c.key == SESSION_COOKIE)
        assert session_token not in await (await client.get("/phien")).text()
        async with db.session() as session:
            who = await identify(session=session, token=session_token, now=console.clock.now())
        assert who is not None and who.role is Role.ADMIN
