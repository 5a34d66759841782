"""Review benchmark: editors pressing «Duyệt» on the whole served product, beside a bare bot.

`python main.py serve` runs as its own process with every component on (e-mail intake from
the drop folder, the Telegram bot with review cards, the outbox with SMTP and Telegram, the
publisher in dry run, the scheduler, the web server), pointed at the fake Bot API and the fake
Zalo of tests/fakes and at an SMTP sink, all in this process. K editors press approve on each
of M cards at the same moment (one wave per card: one decision, K-1 "already decided"
answers), a wave every `--gap` seconds. Printed, for the service and for a minimal PTB bot
(its own process, answering and removing the keyboard) on the same fake in the same run:

- update -> answerCallbackQuery latency, p50/p95/p99 over every press;
- update -> the card's edit (first editMessageText of the card after its wave), p50/p95/p99;
- CPU (user + system, every process of the service) per approval, over the press phase and
  until every card is edited, and at rest before the presses;
- the ratio of the two answer p95s (the aim: at most 2).

The cards are the product's own: a first `serve`, with the editors' chat unpaced, imports the
example mail (data/examples, a covering letter with an article and a photo) M times through
`intake import` and posts the cards; the measured `serve` then runs with the production pacing.

    .venv/bin/python bench/review.py --editors 4 --cards 40 [--gap 1.0] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.pg import throwaway_database  # noqa: E402
from domain.kinds import UnitKind  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.registry import create_editor, create_officer, upsert_unit  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, FakeUser  # noqa: E402
from tests.fakes.zalo_api import FakeZalo  # noqa: E402
from tests.support.smtp import SmtpSink  # noqa: E402
from tgbot.callbacks import Action, is_review  # noqa: E402

CHAT = -100900
EXAMPLE = ROOT / "data" / "examples" / "hoi-nghi.eml"
SENDER = "an@syt.example.vn"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------- CPU of a process tree
def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) from /proc, None if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by `root` and every live descendant."""
    stats = {int(p.name): s for p in Path("/proc").iterdir() if p.name.isdigit()
             if (s := _stat(int(p.name))) is not None}  # fmt: skip
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo += children.get(pid, [])
    return total


# ---------------------------------------------------------------------- the presses
@dataclass
class Result:
    answers: list[float]
    edits: list[float]
    missing_edits: int
    cpu_per_approval: float
    idle_cpu_per_s: float
    seconds: float
    chat_calls_per_approval: float


async def press_waves(
    fake: FakeTelegram,
    editors: list[FakeUser],
    cards: list[tuple[dict[str, Any], str]],
    *,
    pid: int,
    gap: float,
    edit_timeout: float,
) -> Result:
    """For each card every editor presses at once; wait for the answers, then `gap` seconds."""
    idle_from, idle_cpu = time.perf_counter(), tree_cpu(pid)
    await asyncio.sleep(3.0)
    idle = (tree_cpu(pid) - idle_cpu) / (time.perf_counter() - idle_from)
    start, cpu0 = time.perf_counter(), tree_cpu(pid)
    answers: list[float] = []
    pressed_at: dict[int, float] = {}  # card message id -> its wave's first injection
    answered = 0
    for message, data in cards:
        wave = time.perf_counter()
        presses = [fake.press(e, message, data) for e in editors]
        pressed_at[message["message_id"]] = fake.injected_at[presses[0]["update_id"]]
        answered += len(presses)
        calls = await fake.wait_for_call("answerCallbackQuery", answered, timeout=60)
        by_id = {c.params["callback_query_id"]: c for c in calls}
        for press in presses:
            answer = by_id[press["callback_query"]["id"]]
            answers.append(answer.received_at - fake.injected_at[press["update_id"]])
        await asyncio.sleep(max(0.0, gap - (time.perf_counter() - wave)))
    edits = await card_edits(fake, pressed_at, within=edit_timeout)
    seconds = time.perf_counter() - start
    cpu = tree_cpu(pid) - cpu0
    chat = [c for c in fake.calls if c.received_at >= start and c.params.get("chat_id") == CHAT]
    return Result(
        answers, edits, len(cards) - len(edits), cpu / len(cards), idle, seconds,
        len(chat) / len(cards),
    )  # fmt: skip


async def card_edits(
    fake: FakeTelegram, pressed_at: dict[int, float], *, within: float
) -> list[float]:
    """Latency from each wave to the first edit of its card (text or keyboard)."""
    deadline = time.perf_counter() + within
    while True:
        first: dict[int, float] = {}
        for call in fake.calls:
            if call.ok and call.method in ("editMessageText", "editMessageReplyMarkup"):
                message_id = call.params.get("message_id")
                at = pressed_at.get(message_id)
                if at is not None and call.received_at >= at and message_id not in first:
                    first[message_id] = call.received_at - at
        if len(first) == len(pressed_at) or time.perf_counter() > deadline:
            return list(first.values())
        await asyncio.sleep(0.1)


# ---------------------------------------------------------------------- the served product
def variants(folder: Path, m: int) -> list[Path]:
    """M copies of the example mail, each its own message (Message-ID, subject, date)."""
    raw = EXAMPLE.read_bytes()
    paths = []
    for i in range(m):
        mail = re.sub(rb"Message-ID: <[^>]+>", f"Message-ID: <bench-{i}@syt.example.vn>".encode(),
                      raw, count=1)  # fmt: skip
        mail = re.sub(rb"(?m)^Subject: (.*)$", rb"Subject: \1 (" + str(i).encode() + rb")",
                      mail, count=1)  # fmt: skip
        path = folder / f"bench-{i:03d}.eml"
        path.write_bytes(mail)
        paths.append(path)
    return paths


def main_py(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"main.py {' '.join(args[:2])} failed:\n{done.stdout}{done.stderr}")


async def seed(url: str, k: int) -> None:
    async with Database(url) as db, db.session() as session:
        unit, _ = await upsert_unit(
            session=session, code="so-y-te", name="Sở Y tế", kind=UnitKind.DEPARTMENT
        )
        assert unit.id is not None
        await create_officer(
            session=session, unit_id=unit.id, full_name="Nguyễn Văn An",
            position="Chánh Văn phòng", email=SENDER,
        )  # fmt: skip
        for i in range(k):
            await create_editor(
                session=session, full_name=f"Biên tập viên {i}", telegram_user_id=5000 + i
            )
        await session.commit()


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "serve"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def spawn(command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, **kwargs)


async def started(fake: FakeTelegram, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the bot polls (PTB deletes any webhook just before its first getUpdates)."""
    before = len(fake.calls_to("deleteWebhook"))
    deadline = time.perf_counter() + 120
    while len(fake.calls_to("deleteWebhook")) <= before:
        if process.poll() is not None or time.perf_counter() > deadline:
            raise SystemExit(f"serve did not start:\n{tail(log)}")
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)


async def quiet(fake: FakeTelegram, seconds: float, within: float = 300) -> None:
    """Wait until the fake saw no call for `seconds`."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        last = max((c.received_at for c in fake.calls), default=0.0)
        if time.perf_counter() - last >= seconds:
            return
        await asyncio.sleep(0.2)


def posted_cards(fake: FakeTelegram) -> list[tuple[dict[str, Any], str]]:
    """The review cards in the editors' chat and their approve button, oldest first."""
    cards = []
    for message in fake.bot_messages(CHAT):
        data = [d for d in fake.button_data(message) if is_review(d, Action.APPROVE)]
        if data:
            cards.append((message, data[0]))
    return cards


async def newsdesk_run(args: argparse.Namespace, url: str, tmp: Path) -> Result:
    async with FakeTelegram() as fake, FakeZalo() as zalo:
        fake.group(CHAT, "Biên tập")
        editors = [fake.user(5000 + i, f"BTV{i}") for i in range(args.editors)]
        smtp = SmtpSink(free_port())
        smtp.start()
        web_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")} | {
            "NEWSDESK_DATA_DIR": str(tmp / "data"),
            "NEWSDESK_DATABASE__URL": url,
            "NEWSDESK_TELEGRAM__TOKEN": fake.token,
            "NEWSDESK_TELEGRAM__BASE_URL": fake.base_url,
            "NEWSDESK_TELEGRAM__BASE_FILE_URL": fake.base_file_url,
            "NEWSDESK_TELEGRAM__EDITORS_CHAT_ID": str(CHAT),
            "NEWSDESK_ZALO__API_BASE": zalo.url,  # no app id: the publisher runs dry
            "NEWSDESK_ZALO__OAUTH_BASE": zalo.url,
            "NEWSDESK_SMTP__HOST": "127.0.0.1",
            "NEWSDESK_SMTP__PORT": str(smtp.port),
            "NEWSDESK_WEB__PORT": str(web_port),
            "NEWSDESK_WEB__PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
            "NEWSDESK_LOG__LEVEL": "WARNING",
        }
        log = Path(args.serve_log) if args.serve_log else tmp / "serve.log"
        try:
            main_py(env, "db", "upgrade")
            await seed(url, args.editors)
            main_py(env, "intake", "import", *map(str, variants(tmp, args.cards)))
            # the cards, posted by the product itself with the editors' chat unpaced
            with serving(env | {"NEWSDESK_TELEGRAM__EDIT_INTERVAL_SECONDS": "0"}, log) as p:
                await started(fake, p, log)
                while len(posted_cards(fake)) < args.cards:
                    if p.poll() is not None:
                        raise SystemExit(f"serve stopped:\n{tail(log)}")
                    await asyncio.sleep(0.2)
                await quiet(fake, 2.0)
            cards = posted_cards(fake)
            with serving(env, log) as process:
                await started(fake, process, log)
                await quiet(fake, 2.0)
                if args.profile:
                    spy = spawn(
                        [args.py_spy, "record", "--pid", str(process.pid), "--subprocesses",
                         "--format", "raw", "-o", args.profile],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    )  # fmt: skip
                result = await press_waves(
                    fake, editors, cards, pid=process.pid, gap=args.gap,
                    edit_timeout=args.edit_timeout,
                )  # fmt: skip
                if args.profile:
                    spy.send_signal(signal.SIGINT)
                    spy.wait(timeout=60)
            return result
        finally:
            smtp.stop()


# ---------------------------------------------------------------------- the minimal bot
def minimal_bot() -> None:
    """The bare bot (run as its own process): answer the press, remove the keyboard."""
    from telegram import Update
    from telegram.error import BadRequest
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("OK")
        with contextlib.suppress(BadRequest):  # later presses: keyboard already removed
            await query.edit_message_reply_markup(None)

    app = (
        ApplicationBuilder()
        .token(os.environ["BENCH_TOKEN"])
        .base_url(os.environ["BENCH_BASE_URL"])
        .base_file_url(os.environ["BENCH_BASE_FILE_URL"])
        .build()
    )
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(poll_interval=0, timeout=30, drop_pending_updates=False)


async def minimal_run(args: argparse.Namespace, tmp: Path) -> Result:
    async with FakeTelegram() as fake:
        fake.group(CHAT, "Biên tập")
        editors = [fake.user(5000 + i, f"BTV{i}") for i in range(args.editors)]
        cards = []
        for i in range(args.cards):
            data = f"ok:{i}"
            keyboard = {"inline_keyboard": [[{"text": "Duyệt", "callback_data": data}]]}
            message = fake.store_message(
                CHAT, fake.bot, {"text": f"thẻ {i}", "reply_markup": keyboard}
            )
            cards.append((message, data))
        env = os.environ | {
            "BENCH_TOKEN": fake.token,
            "BENCH_BASE_URL": fake.base_url,
            "BENCH_BASE_FILE_URL": fake.base_file_url,
        }
        log = tmp / "minimal.log"
        with log.open("ab") as out:
            process = spawn(
                [sys.executable, __file__, "--minimal-bot"], env=env, stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                await started(fake, process, log)
                return await press_waves(
                    fake, editors, cards, pid=process.pid, gap=args.gap, edit_timeout=10
                )
            finally:
                process.send_signal(signal.SIGINT)
                process.wait(timeout=60)


# ---------------------------------------------------------------------- report
def show(name: str, r: Result) -> None:
    def three(values: list[float]) -> str:
        if not values:
            return "      -"
        p = [percentile(values, q) * 1000 for q in (50, 95, 99)]
        return f"{p[0]:7.0f} {p[1]:7.0f} {p[2]:7.0f}"

    missing = f" ({r.missing_edits} cards never edited)" if r.missing_edits else ""
    print(
        f"{name:<18} answer ms p50/p95/p99 {three(r.answers)}   edit ms p50/p95/p99 "
        f"{three(r.edits)}   CPU {r.cpu_per_approval * 1000:6.1f} ms/approval "
        f"(at rest {r.idle_cpu_per_s * 1000:4.1f} ms/s), editors' chat "
        f"{r.chat_calls_per_approval:.1f} calls/approval, {r.seconds:5.1f} s{missing}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--editors", type=int, default=4, help="K editors pressing at once")
    parser.add_argument("--cards", type=int, default=40, help="M cards")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between two waves")
    parser.add_argument("--database-url", default="",
                        help="a PostgreSQL server (a throwaway database is made on it); "
                        "default: SQLite in a temporary data directory")  # fmt: skip
    parser.add_argument("--edit-timeout", type=float, default=300.0,
                        help="how long to wait for the last card's edit")  # fmt: skip
    parser.add_argument("--profile", default="", metavar="FILE",
                        help="record the service with py-spy during the presses, as collapsed "
                        "stacks into FILE")  # fmt: skip
    parser.add_argument("--serve-log", default="", metavar="FILE",
                        help="keep the service's output (both runs) in FILE")  # fmt: skip
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy binary for --profile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        minimal = await minimal_run(args, tmp)
        with contextlib.ExitStack() as stack:
            if args.database_url:
                url = stack.enter_context(throwaway_database(args.database_url, "bench_review"))
            else:
                url = f"sqlite:///{tmp / 'data' / 'newsdesk.db'}"
            (tmp / "data").mkdir()
            ours = await newsdesk_run(args, url, tmp)
    backend = url.split(":")[0].split("+")[0]
    print(
        f"review benchmark: {args.editors} editors x {args.cards} cards, a wave every "
        f"{args.gap:g} s, database {backend}, `serve` with every component (publisher dry run)"
    )
    show("minimal PTB bot", minimal)
    show("newsdesk serve", ours)
    ratio = percentile(ours.answers, 95) / percentile(minimal.answers, 95)
    print(f"answer p95 ratio newsdesk/minimal: {ratio:.2f} (aim: <= 2.0)")


if __name__ == "__main__":
    if "--minimal-bot" in sys.argv:
        sys.argv.remove("--minimal-bot")
        minimal_bot()
    else:
        asyncio.run(main())
