"""Review benchmark: K editors pressing approve on M cards at once, against the fake Bot API.

Prints presses per second and the latency from the injected update to answerCallbackQuery
(p50/p95/p99) for Newsdesk's bot (database-backed: record, check, compare-and-set, audit,
outbox), beside a minimal PTB bot that only answers the callback and edits the keyboard, on
the same fake in the same run, and the ratio of the two p95s.

    .venv/bin/python bench/review.py --editors 4 --cards 50 [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]
os.environ.setdefault("PTB_TIMEDELTA", "1")

from sqlmodel import select  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.error import BadRequest  # noqa: E402
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes  # noqa: E402

from domain.clock import SystemClock  # noqa: E402
from domain.kinds import Channel, UnitKind  # noqa: E402
from intake.accept import Incoming, accept  # noqa: E402
from intake.telegram.context import BotDeps  # noqa: E402
from runtime.telegram import assemble  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.files import FileStore  # noqa: E402
from storage.models import Submission  # noqa: E402
from storage.registry import create_editor, upsert_unit  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, FakeUser  # noqa: E402
from tgbot.bot import build_application  # noqa: E402
from tgbot.callbacks import Action, review_data  # noqa: E402

CHAT = -100900


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


async def press_waves(
    fake: FakeTelegram, editors: list[FakeUser], cards: list[tuple[dict[str, Any], str]]
) -> dict[str, float]:
    """For each card, every editor presses at the same moment; wait for all answers."""
    start = time.perf_counter()
    latencies: list[float] = []
    answered = 0
    for message, data in cards:
        presses = [fake.press(e, message, data) for e in editors]
        answered += len(presses)
        calls = await fake.wait_for_call("answerCallbackQuery", answered, timeout=60)
        by_id = {c.params["callback_query_id"]: c for c in calls}
        for press in presses:
            answer = by_id[press["callback_query"]["id"]]
            latencies.append(answer.received_at - fake.injected_at[press["update_id"]])
    elapsed = time.perf_counter() - start
    return {
        "presses": float(len(latencies)),
        "per_second": len(latencies) / elapsed,
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "p99": percentile(latencies, 99) * 1000,
    }


async def seed(db: Database, files: FileStore, k: int, m: int) -> list[int]:
    async with db.session() as session:
        unit, _ = await upsert_unit(
            session=session, code="bench", name="Đơn vị đo", kind=UnitKind.OTHER
        )
        for i in range(k):
            await create_editor(
                session=session, full_name=f"Biên tập viên {i}", telegram_user_id=5000 + i
            )
        ids = []
        for i in range(m):
            incoming = Incoming(
                channel=Channel.EMAIL,
                source_key=f"bench-{i}",
                received_at=datetime.now(UTC),
                sender="bench@example.vn",
                title=f"Bài {i}",
                text="Nội dung " * 50,
                unit_id=unit.id,
            )
            ids.append((await accept(incoming, session=session, files=files)).submission.id)
        await session.commit()
    return [i for i in ids if i is not None]


async def posted_cards(db: Database, m: int) -> dict[int | None, Submission]:
    """Wait until every card is posted and recorded."""
    while True:
        async with db.session() as session:
            subs = {s.id: s for s in (await session.exec(select(Submission))).all()}
        if sum(1 for s in subs.values() if s.card_version == s.version) == m:
            return subs
        await asyncio.sleep(0.05)


async def newsdesk_run(
    url: str, k: int, m: int, edit_interval: float, workdir: Path
) -> dict[str, float]:
    async with FakeTelegram() as fake, Database(url) as db:
        fake.group(CHAT, "Biên tập")
        editors = [fake.user(5000 + i, f"BTV{i}") for i in range(k)]
        ids = await seed(db, FileStore(workdir / "files"), k, m)
        app = build_application(
            token=fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url, db=db
        )
        bot = assemble(
            app=app,
            deps=BotDeps(db=db, files=FileStore(workdir / "files"), clock=SystemClock()),
            editors_chat_id=CHAT,
            poll_timeout=1,
            edit_interval=0.0,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(bot.run(stop))
        subs = await posted_cards(db, m)
        assert bot.cards is not None
        bot.cards.pacer.interval = edit_interval  # cards posted fast; then production pacing
        cards = [
            (
                fake.message(CHAT, subs[i].card_message_id or 0),
                review_data(Action.APPROVE, i, subs[i].version),
            )
            for i in ids
        ]
        result = await press_waves(fake, editors, cards)
        stop.set()
        await task
        return result


async def minimal_run(k: int, m: int) -> dict[str, float]:
    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("OK")
        with contextlib.suppress(BadRequest):  # later presses: keyboard already removed
            await query.edit_message_reply_markup(None)

    async with FakeTelegram() as fake:
        fake.group(CHAT, "Biên tập")
        editors = [fake.user(5000 + i, f"BTV{i}") for i in range(k)]
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        app.add_handler(CallbackQueryHandler(pressed))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            cards = []
            for i in range(m):
                sent = await app.bot.send_message(CHAT, f"thẻ {i}")
                cards.append((sent.to_dict(), f"ok:{i}"))
            try:
                return await press_waves(fake, editors, cards)
            finally:
                await app.updater.stop()
                await app.stop()


def show(name: str, r: dict[str, float]) -> None:
    print(
        f"{name:<22} {int(r['presses']):>6} presses  {r['per_second']:7.1f}/s  "
        f"p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, default=4, help="K editors pressing at once")
    parser.add_argument("--cards", type=int, default=50, help="M cards")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument(
        "--edit-interval", type=float, default=1.0, help="editors' chat pacing (s), as deployed"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        minimal = await minimal_run(args.editors, args.cards)
        ours = await newsdesk_run(url, args.editors, args.cards, args.edit_interval, Path(tmp))
    backend = url.split(":")[0]
    print(f"review benchmark: {args.editors} editors x {args.cards} cards, database {backend}")
    show("minimal PTB bot", minimal)
    show("newsdesk review bot", ours)
    print(f"p95 ratio newsdesk/minimal: {ours['p95'] / minimal['p95']:.2f} (aim: <= 2.0)")


if __name__ == "__main__":
    asyncio.run(main())
