"""A publishing world for integration tests: database, file store, public media server, the
fake Zalo and a clock they share; `fresh()` builds new worker objects as a restart would."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from PIL import Image
from sqlmodel import col, select

from domain.clock import FixedClock
from domain.kinds import Channel, UnitKind
from domain.states import SubmissionStatus as S
from intake.accept import Incoming, IncomingFile, accept
from publisher.deps import make_deps
from publisher.prepare import media_secret
from publisher.web import add_routes
from publisher.worker import PublishWorker
from publisher.zalo.oauth import TokenPair
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import Editor, OutboxMessage, Publication, Submission
from storage.publications import get_publication
from storage.registry import upsert_unit
from storage.submissions import transition
from tests.fakes.zalo_api import FakeZalo
from tests.support.ports import free_port

# 10:00 in Vietnam on a Thursday: inside the publish and broadcast windows.
START = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
EDITORS_CHAT = -1001234


def photo(colour: str = "navy", size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", quality=95)
    return out.getvalue()


@dataclass
class World:
    """Everything a publishing test touches."""

    db: Database
    files: FileStore
    settings: Settings
    clock: FixedClock
    fake: FakeZalo
    http: httpx.AsyncClient

    def fresh(self) -> PublishWorker:
        """New keeper, client and worker objects, as after a process restart."""
        deps = make_deps(
            settings=self.settings, db=self.db, files=self.files, http=self.http, clock=self.clock
        )
        return PublishWorker(deps)

    async def login(self) -> None:
        """Store a token pair as `zalo login` would."""
        deps = make_deps(
            settings=self.settings, db=self.db, files=self.files, http=self.http, clock=self.clock
        )
        assert deps.keeper is not None
        pair = self.fake.seed_tokens()
        await deps.keeper.store_login(
            TokenPair(pair["access_token"], pair["refresh_token"], int(pair["expires_in"]))
        )

    async def approved(
        self,
        key: str,
        *,
        title: str = "Hội nghị triển khai nhiệm vụ năm 2026",
        images: int = 1,
        **extra: Any,
    ) -> int:
        """A submission through intake and review's approval, as the other areas do it."""
        publish_at = extra.pop("publish_at", None)
        async with self.db.session() as session:
            unit, _ = await upsert_unit(
                session=session,
                code="ubnd-kien-xuong",
                name="UBND huyện Kiến Xương",
                kind=UnitKind.DISTRICT,
            )
            files = [
                IncomingFile(photo(c), f"anh-{i}.jpg", "image/jpeg", caption=f"Ảnh {i}")
                for i, c in enumerate(["navy", "darkred", "green"][:images])
            ]
            values: dict[str, Any] = {
                "channel": Channel.EMAIL,
                "source_key": f"email:{key}",
                "received_at": self.clock.now(),
                "sender": "vanphong@kienxuong.example.vn",
                "title": title,
                "unit_id": unit.id,
                "files": files,
                "text": "Sáng 26/11, UBND huyện tổ chức hội nghị.\n\nĐoạn hai của bài.",
            }
            values.update(extra)
            accepted = await accept(Incoming(**values), session=session, files=self.files)
            sub = accepted.submission
            assert sub.id is not None
            await transition(
                session=session,
                submission_id=sub.id,
                expected_status=sub.status,
                expected_version=sub.version,
                new_status=S.APPROVED,
                actor="editor:1",
                changes={"publish_at": publish_at},
            )
            await session.commit()
            return sub.id

    async def submission(self, submission_id: int) -> Submission:
        async with self.db.session() as session:
            sub = await session.get(Submission, submission_id, populate_existing=True)
            assert sub is not None
            return sub

    async def publications(self) -> list[Publication]:
        async with self.db.session() as session:
            return list(
                (await session.exec(select(Publication).order_by(col(Publication.id)))).all()
            )

    async def publication(self, publication_id: int) -> Publication:
        async with self.db.session() as session:
            pub = await get_publication(session=session, publication_id=publication_id)
            assert pub is not None
            return pub

    async def outbox(self) -> list[OutboxMessage]:
        async with self.db.session() as session:
            return list(
                (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
            )

    async def add_editor(self) -> None:
        async with self.db.session() as session:
            session.add(Editor(full_name="Biên tập viên", email="bientap@stttt.example.vn"))
            await session.commit()

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)


@asynccontextmanager
async def make_world(
    database: Database, tmp_path: Path, *, live: bool = True, **zalo: Any
) -> AsyncIterator[World]:
    """Start the media server and the fake Zalo; settings point at both."""
    clock = FixedClock(START)
    port = free_port()
    async with FakeZalo(now=lambda: clock.now().timestamp()) as fake:
        zalo_settings: dict[str, Any] = {
            "oauth_base": fake.url,
            "api_base": fake.url,
            "timeout_seconds": 1.5,  # generous: a loaded CI machine must not turn calls into hangs
            "broadcast": True,
            **zalo,
        }
        if live:
            zalo_settings.update(app_id=fake.app_id, app_secret=fake.app_secret)
        settings = Settings(
            data_dir=tmp_path / "data",
            database={"url": database.url},  # type: ignore[arg-type]
            zalo=zalo_settings,  # type: ignore[arg-type]
            web={"public_base_url": f"http://127.0.0.1:{port}"},  # type: ignore[arg-type]
            telegram={"editors_chat_id": EDITORS_CHAT},  # type: ignore[arg-type]
            _env_file=None,  # type: ignore[call-arg]
        )
        files = FileStore(settings.files_dir)
        app = web.Application()
        add_routes(app, settings=settings, files=files, secret=media_secret(settings))
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with httpx.AsyncClient(timeout=5.0) as http:
                yield World(database, files, settings, clock, fake, http)
        finally:
            await runner.cleanup()
