"""A running bot (real PTB Application) + outbox worker against the fake Bot API, for tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import Bot

from domain.clock import SystemClock
from domain.kinds import UnitKind
from intake.telegram.context import BotDeps
from outbox.telegram import TelegramSender
from outbox.worker import OutboxWorker, Sender
from runtime.telegram import NewsdeskBot, assemble
from storage.db import Database
from storage.files import FileStore
from storage.models import Officer, Submission
from storage.registry import create_editor, create_officer, upsert_unit
from tests.fakes.telegram_api import FakeChat, FakeTelegram, FakeUser
from tgbot.bot import build_application

T = TypeVar("T")
EDITORS_CHAT = -100777
LAN_PHONE = "+84912345678"


@dataclass
class Harness:
    """Everything a Telegram end-to-end test touches."""

    fake: FakeTelegram
    db: Database
    files: FileStore
    bot: NewsdeskBot
    outbox: OutboxWorker
    unit_id: int
    officer_id: int
    lan: FakeUser
    an: FakeUser
    binh: FakeUser
    stranger: FakeUser
    editors: FakeChat
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def until(self, probe: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:  # noqa: ASYNC109
        """Poll ``probe`` until it returns something truthy (waits for effects; not a timing)."""
        async with asyncio.timeout(timeout):
            while True:
                value = await probe()
                if value:
                    return value
                await asyncio.sleep(0.02)

    async def message_to(
        self, chat_id: int, contains: str, *, count: int = 1
    ) -> list[dict[str, Any]]:
        """Wait until the bot sent ``count`` messages to ``chat_id`` containing ``contains``."""

        async def probe() -> list[dict[str, Any]]:
            found = [
                c.result
                for c in self.fake.calls_to("sendMessage")
                if c.params.get("chat_id") == chat_id and contains in c.result.get("text", "")
            ]
            return found if len(found) >= count else []

        try:
            return await self.until(probe)
        except TimeoutError:
            sent = [c.params.get("text") for c in self.fake.calls_to("sendMessage")]
            raise AssertionError(
                f"no message with {contains!r} to {chat_id}; sent: {sent}"
            ) from None

    async def answer(self, press: dict[str, Any]) -> dict[str, Any]:
        """Wait for the answerCallbackQuery of one injected press; return its parameters."""
        query_id = press["callback_query"]["id"]

        async def probe() -> dict[str, Any] | None:
            calls = self.fake.calls_to("answerCallbackQuery")
            return next(
                (c.params for c in calls if c.params["callback_query_id"] == query_id), None
            )

        return await self.until(probe)

    async def submission(self, code: str | None = None) -> Submission:
        """The (only, or given) submission, fresh from the database."""
        from sqlmodel import select

        async with self.db.session() as session:
            query = select(Submission)
            if code:
                query = query.where(Submission.code == code)
            rows = list((await session.exec(query)).all())
        assert len(rows) == 1, rows
        return rows[0]

    async def card(self, submission_id: int, version: int) -> dict[str, Any]:
        """Wait until the submission's card shows ``version``; return the stored message."""

        async def probe() -> Submission | None:
            async with self.db.session() as session:
                sub = await session.get(Submission, submission_id, populate_existing=True)
            return sub if sub and sub.card_version == version else None

        sub = await self.until(probe)
        assert sub.card_message_id is not None
        return self.fake.message(EDITORS_CHAT, sub.card_message_id)

    async def link_lan(self) -> None:
        """Link Lan's Telegram account to her officer record directly (onboarding tested apart)."""
        async with self.db.session() as session:
            officer = await session.get(Officer, self.officer_id)
            assert officer is not None
            officer.telegram_user_id = self.lan.id
            session.add(officer)
            await session.commit()

    async def send_draft(self, user: FakeUser, *, summaries: int = 1) -> None:
        """Wait for the draft summary and press «Gửi duyệt»."""
        [*_, summary] = await self.message_to(user.id, "Bấm «Gửi duyệt»", count=summaries)
        self.fake.press(user, summary, "dr:send")


async def seed(db: Database) -> tuple[int, int]:
    """One unit with one officer (not yet linked), two editors."""
    async with db.session() as session:
        unit, _ = await upsert_unit(
            session=session, code="so-yte", name="Sở Y tế", kind=UnitKind.DEPARTMENT
        )
        assert unit.id is not None
        officer = await create_officer(
            session=session,
            unit_id=unit.id,
            full_name="Nguyễn Thị Lan",
            position="Chuyên viên",
            phone=LAN_PHONE,
        )
        await create_editor(session=session, full_name="Trần Văn An", telegram_user_id=2001)
        await create_editor(session=session, full_name="Lê Thị Bình", telegram_user_id=2002)
        await session.commit()
        assert officer.id is not None
        return unit.id, officer.id


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeTelegram,
    db: Database,
    files: FileStore,
    *,
    senders: list[Sender] | None = None,
    mode: str = "polling",
    webhook_url: str = "",
    webhook_secret: str = "",
    max_download_mb: int = 20,
    max_mail_mb: int = 25,
    on_built: Callable[[NewsdeskBot], None] | None = None,
    seeded: tuple[int, int] | None = None,
    preview: Callable[[Any, Any], Awaitable[str]] | None = None,
) -> AsyncIterator[Harness]:
    """Seed (unless ``seeded``), start the bot and an outbox worker; stop both on exit."""
    unit_id, officer_id = seeded or await seed(db)
    app = build_application(
        token=fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url, db=db
    )
    outbox_bot = Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
    worker = OutboxWorker(
        db,
        [TelegramSender(outbox_bot, files=files), *(senders or [])],
        clock=SystemClock(),
        poll_seconds=0.05,
    )
    deps = BotDeps(
        db=db,
        files=files,
        clock=SystemClock(),
        max_download_mb=max_download_mb,
        max_mail_mb=max_mail_mb,
        draft_quiet_seconds=0.3,
        contact_email="bantin@stttt.example.vn",
        wake_outbox=worker.wake,
    )
    bot = assemble(
        app=app,
        deps=deps,
        preview=preview,
        editors_chat_id=EDITORS_CHAT,
        mode=mode,
        poll_timeout=1,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        edit_interval=0.0,
    )
    if on_built is not None:
        on_built(bot)
    h = Harness(
        fake=fake,
        db=db,
        files=files,
        bot=bot,
        outbox=worker,
        unit_id=unit_id,
        officer_id=officer_id,
        lan=fake.user(1001, "Lan"),
        an=fake.user(2001, "An"),
        binh=fake.user(2002, "Bình"),
        stranger=fake.user(3001, "Khách"),
        editors=fake.group(EDITORS_CHAT, "Ban biên tập"),
    )
    async with outbox_bot:
        tasks = [asyncio.create_task(bot.run(h.stop)), asyncio.create_task(worker.run(h.stop))]
        try:
            await fake.wait_for_call("deleteWebhook" if mode == "polling" else "setWebhook")
            yield h
        finally:
            h.stop.set()
            await asyncio.gather(*tasks)
