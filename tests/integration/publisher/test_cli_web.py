"""`publish` and `zalo` commands, the OAuth callback route and the public media route."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp import web
from typer.testing import CliRunner

from domain.periods import to_local
from domain.states import PublicationStatus
from main import app
from publisher.deps import make_deps
from publisher.login import complete_login, start_login
from publisher.login_link import login_link
from publisher.prepare import media_secret
from publisher.web import add_routes
from publisher.zalo.oauth import pkce_challenge
from storage.db import Database
from storage.models import ZaloToken
from tests.integration.publisher.world import World, make_world
from tests.support.serve import ROOT, service_env

pytestmark = pytest.mark.integration


async def cli(world: World, *args: str, live: bool = True) -> tuple[int, str]:
    """Run a command in a thread (it runs its own event loop) against the world's peers."""
    env = {
        "NEWSDESK_DATABASE__URL": world.db.url,
        "NEWSDESK_DATA_DIR": str(world.settings.data_dir),
        "NEWSDESK_WEB__PUBLIC_BASE_URL": world.settings.web.public_base_url,
        "NEWSDESK_ZALO__OAUTH_BASE": world.fake.url,
        "NEWSDESK_ZALO__API_BASE": world.fake.url,
        "NEWSDESK_ZALO__APP_ID": world.fake.app_id if live else "",
        "NEWSDESK_ZALO__APP_SECRET": world.fake.app_secret if live else "",
        "NEWSDESK_ZALO__FOLLOW_URL": "https://zalo.me/1234567890",
    }
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)
    return result.exit_code, result.output


async def test_publish_list_show_retry_remove(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path, broadcast=False) as world:
        await world.login()
        await world.approved("a")
        world.fake.fail("/article/create", -210, message="Parameter exceeds allowable limit")
        await world.fresh().run_once()
        code, out = await cli(world, "publish", "list", "--json")
        [row] = json.loads(out)
        assert (code, row["status"]) == (0, "failed")
        assert "-210" in row["last_error"]
        code, out = await cli(world, "publish", "list")
        assert code == 0 and "Đăng không thành công" in out and "failed" not in out
        code, out = await cli(world, "publish", "show", str(row["id"]))
        assert code == 0 and "📰 Hội nghị triển khai nhiệm vụ năm 2026" in out
        assert "Trạng thái: Đăng không thành công" in out
        code, out = await cli(world, "publish", "retry", str(row["id"]))
        assert code == 0 and "«Đang tạo bài»" in out
        code, out = await cli(world, "publish", "retry", str(row["id"]))
        assert code == 1 and "Không thử lại được" in out
        # The command stamps the retry with the wall clock: move the test clock to the next
        # 10:00 in Vietnam after it, inside the publish window.
        wall = to_local(datetime.now(UTC)) + timedelta(days=1)
        world.clock.set(wall.replace(hour=10, minute=0, second=0, microsecond=0))
        await world.fresh().run_once()
        [pub] = await world.publications()
        assert pub.status == PublicationStatus.PUBLISHED
        code, out = await cli(world, "publish", "remove", str(pub.id), "--yes")
        assert code == 0 and pub.article_id in out
        assert world.fake.live_articles() == []
        assert (await world.publication(pub.id or 0)).status == PublicationStatus.REMOVED


async def test_zalo_status_login_by_pasted_url_and_qr(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        code, out = await cli(world, "zalo", "status")
        assert code == 0 and "zalo login" in out
        consent = start_login(world.settings, now=datetime.now(UTC))  # the CLI's wall clock
        query = parse_qs(urlsplit(consent).query)
        assert query["app_id"] == [world.fake.app_id]
        zalo_code = world.fake.consent(query["code_challenge"][0])
        pasted = f"https://tin.example.vn/zalo/callback?code={zalo_code}&state={query['state'][0]}"
        code, out = await cli(world, "zalo", "login", "--code", pasted)
        assert code == 0 and "Đã lưu mã truy cập Zalo OA." in out, out
        code, out = await cli(world, "zalo", "status")
        assert code == 0 and "Mã truy cập hết hạn lúc" in out and "0 ngày trước" in out
        code, out = await cli(world, "zalo", "qr", "--out", str(tmp_path / "qr"))
        assert code == 0
        code, out = await cli(world, "zalo", "qr", "--out", str(tmp_path / "poster.svg"))
        assert code == 0 and "poster.svg" in out and "png" not in out
        assert "<svg" in (tmp_path / "poster.svg").read_text(encoding="utf-8")
        code, out = await cli(world, "zalo", "qr", "--out", str(tmp_path / "in" / "oa.png"))
        assert code == 0 and (tmp_path / "in" / "oa.png").read_bytes()[:4] == b"\x89PNG"
        assert not (tmp_path / "in" / "oa.svg").exists()
        code, out = await cli(world, "zalo", "qr", "--out", str(tmp_path / "oa.jpg"))
        assert code == 1 and "chỉ tệp .png, .svg hoặc một thư mục" in out
        svg = (tmp_path / "qr" / "zalo-oa-qr.svg").read_text(encoding="utf-8")
        assert "Quét mã để quan tâm Công dân số Thái Bình" in svg
        assert (tmp_path / "qr" / "zalo-oa-qr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        code, out = await cli(world, "zalo", "status", live=False)
        assert "CHẠY THỬ" in out


async def test_oauth_callback_route_stores_the_pair(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        deps = make_deps(
            settings=world.settings,
            db=world.db,
            files=world.files,
            http=world.http,
            clock=world.clock,
        )
        site = web.Application()
        add_routes(
            site,
            settings=world.settings,
            files=world.files,
            secret=b"k",
            http=world.http,
            keeper=deps.keeper,
            clock=world.clock,
        )
        runner = web.AppRunner(site, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            consent = start_login(world.settings, now=world.clock.now())
            query = parse_qs(urlsplit(consent).query)
            zalo_code = world.fake.consent(query["code_challenge"][0])
            bad = await world.http.get(
                f"{base}/zalo/callback", params={"code": zalo_code, "state": "forged"}
            )
            assert bad.status_code == 400 and "không khớp" in bad.text
            for params in ({"code": zalo_code}, {"code": zalo_code, "state": ""}):
                missing = await world.http.get(f"{base}/zalo/callback", params=params)
                assert missing.status_code == 400 and "Thiếu mã trạng thái" in missing.text
            odd = await world.http.get(
                f"{base}/zalo/callback", params={"code": zalo_code, "state": "trạng thái"}
            )
            assert odd.status_code == 400 and "không khớp" in odd.text
            async with world.db.session() as session:
                assert await session.get(ZaloToken, 1) is None
            state = query["state"][0]
            ok = await world.http.get(
                f"{base}/zalo/callback", params={"code": zalo_code, "state": state}
            )
            assert ok.status_code == 200 and "Đã kết nối Zalo OA" in ok.text
            async with world.db.session() as session:
                row = await session.get(ZaloToken, 1)
            assert row is not None and row.access_token in world.fake.access_tokens
            # The state is single use: replaying the callback (another code) is refused.
            again = world.fake.consent(query["code_challenge"][0])
            replay = await world.http.get(
                f"{base}/zalo/callback", params={"code": again, "state": state}
            )
            assert replay.status_code == 400 and "zalo login" in replay.text
            async with world.db.session() as session:
                same = await session.get(ZaloToken, 1, populate_existing=True)
            assert same is not None and same.version == row.version
        finally:
            await runner.cleanup()


async def test_login_link_starts_a_login_only_when_signed(
    database: Database, tmp_path: Path
) -> None:
    async with make_world(database, tmp_path) as world:
        deps = make_deps(
            settings=world.settings,
            db=world.db,
            files=world.files,
            http=world.http,
            clock=world.clock,
        )
        site = web.Application()
        add_routes(
            site,
            settings=world.settings,
            files=world.files,
            secret=b"k",
            http=world.http,
            keeper=deps.keeper,
            clock=world.clock,
        )
        runner = web.AppRunner(site, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        try:
            link = login_link(world.settings, world.clock.now())
            assert link is not None
            local = link.replace(world.settings.web.public_base_url, f"http://127.0.0.1:{port}")
            forged = local.replace("sig=", "sig=0")
            assert (await world.http.get(forged)).status_code == 403
            assert not (world.settings.data_dir / "zalo-login.json").exists()
            moved = await world.http.get(local)
            assert moved.status_code == 302
            consent = moved.headers["location"]
            assert consent.startswith(world.fake.url + "/v4/oa/permission?")
            query = parse_qs(urlsplit(consent).query)
            zalo_code = world.fake.consent(query["code_challenge"][0])
            done = await world.http.get(
                f"http://127.0.0.1:{port}/zalo/callback",
                params={"code": zalo_code, "state": query["state"][0]},
            )
            assert done.status_code == 200
            world.advance(timedelta(days=1, seconds=1))
            assert (await world.http.get(local)).status_code == 403  # expired
        finally:
            await runner.cleanup()


async def test_media_route_serves_only_signed_paths(database: Database, tmp_path: Path) -> None:
    async with make_world(database, tmp_path) as world:
        stored = world.files.put(b"\xff\xd8\xff fake jpeg", "a.jpg")
        secret = media_secret(world.settings)
        deps = make_deps(
            settings=world.settings,
            db=world.db,
            files=world.files,
            http=world.http,
            clock=world.clock,
        )
        url = deps.media.url(stored.sha256, "jpg")
        assert url.startswith(world.settings.web.public_base_url + "/media/")
        async with httpx.AsyncClient() as http:
            good = await http.get(url)
            assert (good.status_code, good.headers["content-type"]) == (200, "image/jpeg")
            assert good.content == b"\xff\xd8\xff fake jpeg"
            forged = url.replace(url.split("/")[-2], "0" * 32)
            assert (await http.get(forged)).status_code == 404
            other = world.files.put(b"not approved", "x.jpg")
            guess = url.replace(stored.sha256, other.sha256)
            assert (await http.get(guess)).status_code == 404
        assert secret == media_secret(world.settings)  # kept in the data dir across restarts


async def test_one_failing_item_is_recorded_and_the_others_publish(
    database: Database, tmp_path: Path
) -> None:
    """GIVEN two approved items in a dry run, the first one's preview path blocked by a folder
    WHEN the worker runs THEN the first fails with its attempt and error recorded (in `publish
    list` and for the editors, with a retry button) and the second is still previewed."""
    async with make_world(database, tmp_path, live=False) as world:
        await world.approved("a")
        await world.approved("b", title="Tin thứ hai")
        worker = world.fresh()
        await worker.schedule_approved()
        # The publication claimed first (lowest id) is the one that breaks.
        first_pub, second_pub = await world.publications()
        first_id, second_id = first_pub.submission_id, second_pub.submission_id
        first_code = (await world.submission(first_id)).code
        previews = Path(world.settings.data_dir) / "previews"
        (previews / f"{first_code}-{first_pub.id}.html").mkdir(parents=True)
        await worker.run_once()
        first_pub = await world.publication(first_pub.id or 0)
        second_pub = await world.publication(second_pub.id or 0)
        assert second_pub.status == PublicationStatus.PUBLISHED
        assert (await world.submission(second_id)).status == "published"
        assert (first_pub.status, first_pub.attempts) == (PublicationStatus.FAILED, 1)
        assert "IsADirectoryError" in (first_pub.last_error or "")
        assert (await world.submission(first_id)).status == "publish_failed"
        alerts = [m for m in await world.outbox() if m.key.startswith(f"pub:{first_pub.id}:")]
        assert alerts and all("IsADirectoryError" in m.body for m in alerts)
        code, out = await cli(world, "publish", "list", live=False)
        assert code == 0 and "Lần thử" in out and "IsADirectoryError" in out
        # Once the folder is out of the way, the editors' retry previews it.
        (previews / f"{first_code}-{first_pub.id}.html").rmdir()
        code, out = await cli(world, "publish", "retry", str(first_pub.id), live=False)
        assert code == 0
        world.clock.set(datetime.now(UTC) + timedelta(seconds=1))
        await world.fresh().run_once()
        assert (await world.publication(first_pub.id or 0)).status == PublicationStatus.PUBLISHED


async def test_zalo_login_notices_the_callback_that_came_before_enter(
    database: Database, tmp_path: Path
) -> None:
    """GIVEN `zalo login` waiting at its prompt WHEN the admin consents, the callback stores
    the token (as `serve`'s /zalo/callback does), and only then Enter is pressed THEN the CLI
    says the token is stored at once (it used to wait ten minutes and time out)."""
    async with make_world(database, tmp_path) as world:
        env = service_env(
            NEWSDESK_DATABASE__URL=world.db.url,
            NEWSDESK_DATA_DIR=str(world.settings.data_dir),
            NEWSDESK_WEB__PUBLIC_BASE_URL=world.settings.web.public_base_url,
            NEWSDESK_ZALO__OAUTH_BASE=world.fake.url,
            NEWSDESK_ZALO__API_BASE=world.fake.url,
            NEWSDESK_ZALO__APP_ID=world.fake.app_id,
            NEWSDESK_ZALO__APP_SECRET=world.fake.app_secret,
        )
        command = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "main.py"),
            "zalo",
            "login",
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            pending = Path(world.settings.data_dir) / "zalo-login.json"
            for _ in range(400):
                if pending.exists():
                    break
                await asyncio.sleep(0.05)
            record = json.loads(pending.read_text(encoding="utf-8"))
            zalo_code = world.fake.consent(pkce_challenge(record["verifier"]))
            deps = make_deps(
                settings=world.settings,
                db=world.db,
                files=world.files,
                http=world.http,
                clock=world.clock,
            )
            assert deps.keeper is not None
            await complete_login(  # what the callback route runs
                settings=world.settings,
                http=world.http,
                keeper=deps.keeper,
                code=zalo_code,
                state=record["state"],
                now=datetime.now(UTC),
            )
            raw, _ = await asyncio.wait_for(command.communicate(b"\n"), timeout=30)  # Enter
        finally:
            if command.returncode is None:
                command.kill()
                await command.wait()
        output = raw.decode()
        assert command.returncode == 0 and "Đã lưu mã truy cập Zalo OA." in output, output
