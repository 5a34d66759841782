"""`publish` and `zalo` commands, the OAuth callback route and the public media route."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp import web
from typer.testing import CliRunner

from domain.periods import to_local
from main import app
from publisher.component import make_deps
from publisher.login import start_login
from publisher.prepare import media_secret
from publisher.publications import PubStatus
from publisher.web import add_routes
from storage.db import Database
from storage.models import ZaloToken
from tests.integration.zalo.world import World, make_world

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
        assert pub.status == PubStatus.PUBLISHED
        code, out = await cli(world, "publish", "remove", str(pub.id), "--yes")
        assert code == 0 and pub.article_id in out
        assert world.fake.live_articles() == []
        assert (await world.publication(pub.id or 0)).status == PubStatus.REMOVED


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
            ok = await world.http.get(
                f"{base}/zalo/callback", params={"code": zalo_code, "state": query["state"][0]}
            )
            assert ok.status_code == 200 and "Đã kết nối Zalo OA" in ok.text
            async with world.db.session() as session:
                row = await session.get(ZaloToken, 1)
            assert row is not None and row.access_token in world.fake.access_tokens
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
