"""Two `main.py serve` processes on one PostgreSQL, one data directory and one public address
(a small reverse proxy), publishing to the fake Zalo: one is killed (SIGKILL) while Zalo
creates its article, more than 100 newer articles appear, and the survivor takes over."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select

from domain.clock import SystemClock
from domain.kinds import Channel, UnitKind
from domain.states import PublicationStatus
from domain.states import SubmissionStatus as S
from intake.accept import Incoming, IncomingFile, accept
from publisher.tokens import TokenKeeper
from publisher.zalo.oauth import TokenPair
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import Publication
from storage.registry import upsert_unit
from storage.submissions import transition
from tests.fakes.zalo_api import FakeZalo
from tests.integration.publisher.world import photo
from tests.support.ports import free_port
from tests.support.proxy import failover_proxy
from tests.support.serve import service_env, serving

pytestmark = pytest.mark.integration
TITLE = "Bài đang tạo khi phiên bản A bị dừng"


async def approve(db: Database, files: FileStore, title: str) -> int:
    """A submission as intake stores it, approved as review does."""
    async with db.session() as session:
        unit, _ = await upsert_unit(
            session=session, code="ubnd-vu-thu", name="UBND huyện Vũ Thư", kind=UnitKind.DISTRICT
        )
        incoming = Incoming(
            channel=Channel.EMAIL,
            source_key=f"email:{title}",
            received_at=datetime.now(UTC),
            sender="vanphong@vuthu.example.vn",
            title=title,
            unit_id=unit.id,
            files=[IncomingFile(photo(), "anh.jpg", "image/jpeg", caption="Ảnh")],
            text="Sáng nay, UBND huyện tổ chức hội nghị.",
        )
        sub = (await accept(incoming, session=session, files=files)).submission
        assert sub.id is not None
        await transition(
            session=session,
            submission_id=sub.id,
            expected_status=sub.status,
            expected_version=sub.version,
            new_status=S.APPROVED,
            actor="editor:1",
        )
        await session.commit()
        return sub.id


async def publication_of(db: Database, submission_id: int) -> Publication | None:
    async with db.session() as session:
        query = select(Publication).where(col(Publication.submission_id) == submission_id)
        return (await session.exec(query)).first()


async def healthy(port: int) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(300):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"instance on port {port} did not start")


async def test_survivor_adopts_the_article_of_an_instance_killed_mid_create(
    pg_url: str, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    ports = {"a": free_port(), "b": free_port()}
    upstreams = [f"http://127.0.0.1:{port}" for port in ports.values()]
    async with FakeZalo(hang_seconds=120) as fake, failover_proxy(upstreams) as public:

        def env(instance: str) -> dict[str, str]:
            return service_env(
                NEWSDESK_DATABASE__URL=pg_url,
                NEWSDESK_DATA_DIR=str(shared),
                NEWSDESK_INSTANCE_NAME=instance,
                NEWSDESK_WEB__PORT=str(ports[instance]),
                NEWSDESK_WEB__PUBLIC_BASE_URL=public,
                NEWSDESK_COMPONENTS_OFF='["telegram", "email", "scheduler", "outbox"]',
                NEWSDESK_ZALO__APP_ID=fake.app_id,
                NEWSDESK_ZALO__APP_SECRET=fake.app_secret,
                NEWSDESK_ZALO__OAUTH_BASE=fake.url,
                NEWSDESK_ZALO__API_BASE=fake.url,
                NEWSDESK_ZALO__TIMEOUT_SECONDS="60",
                NEWSDESK_ZALO__PUBLISH_START="00:00:00",
                NEWSDESK_ZALO__PUBLISH_END="23:59:59",
                NEWSDESK_ZALO__DAILY_MAX="0",
            )

        settings = Settings(data_dir=shared, database={"url": pg_url}, _env_file=None)  # type: ignore[arg-type, call-arg]
        files = FileStore(settings.files_dir)
        async with Database(pg_url) as db, httpx.AsyncClient() as http:
            pair = fake.seed_tokens()
            keeper = TokenKeeper(db, http, settings, clock=SystemClock())
            await keeper.store_login(
                TokenPair(pair["access_token"], pair["refresh_token"], int(pair["expires_in"]))
            )
            fake.fail("/v2.0/article/create", "hang_after")  # Zalo creates, the answer never comes
            arrived = fake.arrival("/v2.0/article/create")
            submission_id = await approve(db, files, TITLE)
            with serving(env("a")) as first:
                await asyncio.wait_for(arrived.wait(), 60)
                for _ in range(500):  # Zalo fetches the images (through the proxy), then creates
                    if fake.live_articles():
                        break
                    await asyncio.sleep(0.02)
                with serving(env("b")) as second:
                    await healthy(ports["b"])
                    first.send_signal(signal.SIGKILL)
                    first.wait(timeout=30)
                    pub = await publication_of(db, submission_id)
                    assert pub is not None and pub.status == PublicationStatus.CREATING
                    assert (pub.claimed_by, pub.payload["create_attempts"]) == ("a", 1)
                    for index in range(105):  # published since, elsewhere in the OA
                        fake.add_article(f"Bài đăng sau {index}")
                    async with db.session() as session:  # A's five-minute lease runs out
                        await session.exec(
                            update(Publication)  # type: ignore[call-overload]
                            .where(col(Publication.id) == pub.id)
                            .values(next_attempt_at=datetime.now(UTC))
                        )
                        await session.commit()
                    for _ in range(600):  # B looks for due work every 10 s
                        pub = await publication_of(db, submission_id)
                        assert pub is not None
                        if pub.status in (PublicationStatus.PUBLISHED, PublicationStatus.FAILED):
                            break
                        await asyncio.sleep(0.1)
                    second.send_signal(signal.SIGTERM)
                    output, _ = second.communicate(timeout=60)
        assert pub.status == PublicationStatus.PUBLISHED, (pub.last_error, output[-3000:])
        ours = [a for a in fake.live_articles() if a["title"] == TITLE]
        assert len(ours) == 1, ours
        assert pub.article_id == ours[0]["id"]
        assert ours[0]["cover"]["photo_url"].startswith(public + "/media/")
        assert len(fake.live_articles()) == 106
        assert [r for r in fake.requests if r[1] == "/v2.0/article/create"] == [
            ("POST", "/v2.0/article/create")
        ]
