"""The three measured pipelines of `python -m bench.intake`, each run in its own process.

- bare: IMAPClient with its debug formatting off, FETCH BODY.PEEK[] of 100 UIDs at a time.
- reference: the straightforward pipeline (one FETCH per message with IMAPClient as
  shipped, `email.message_from_bytes` with the default policy, attachments written to disk,
  one SQLite commit per message).
- reader: Newsdesk's real ImapReader + EmailIntake (parse workers, files, store, outbox
  receipts), as `serve` runs it.
"""

from __future__ import annotations

import asyncio
import email
import os
import sqlite3
import threading
import time
from email import policy
from pathlib import Path

from imapclient import IMAPClient


def _client(port: int, *, quiet: bool) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=port, ssl=False)
    if quiet:
        client._imap.debug = 0
    client.login("alice", "alicepw")
    client.select_folder("INBOX", readonly=True)
    return client


def quiet_client(port: int) -> IMAPClient:
    """A read-only INBOX session with IMAPClient's debug formatting off."""
    return _client(port, quiet=True)


def bare(port: int, workdir: Path, database_url: str = "") -> tuple[int, float]:
    """Fetch every message, 100 UIDs per FETCH; returns (messages, seconds)."""
    started = time.perf_counter()
    client = _client(port, quiet=True)
    uids = client.search(["ALL"])
    total = 0
    for start in range(0, len(uids), 100):
        data = client.fetch(uids[start : start + 100], ["BODY.PEEK[]"])
        total += len(data)
    client.logout()
    return total, time.perf_counter() - started


def reference(port: int, workdir: Path, database_url: str = "") -> tuple[int, float]:
    """One message per FETCH, default-policy parsing, files written, one commit each."""
    started = time.perf_counter()
    client = _client(port, quiet=False)
    db = sqlite3.connect(workdir / "reference.db")
    db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, subject TEXT, sender TEXT, body TEXT)")
    files = workdir / "reference-files"
    files.mkdir()
    count = 0
    for uid in client.search(["ALL"]):
        raw = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
        message = email.message_from_bytes(raw, policy=policy.default)
        try:  # the straightforward pipeline still must not stop on one odd message
            body = message.get_body(("plain", "html"))
            text = body.get_content() if body is not None else ""
        except (LookupError, ValueError, KeyError):
            text = ""
        for index, part in enumerate(message.iter_attachments()):
            payload = part.get_payload(decode=True) or b""
            name = (part.get_filename() or "file").replace("/", "_")
            (files / f"{uid}-{index}-{name}"[:200]).write_bytes(payload)
        db.execute(
            "INSERT INTO item (subject, sender, body) VALUES (?, ?, ?)",
            (str(message["subject"]), str(message["from"]), text),
        )
        db.commit()
        count += 1
    client.logout()
    return count, time.perf_counter() - started


def reader(port: int, workdir: Path, database_url: str = "") -> tuple[int, float]:
    """The real reader, one sweep over the whole mailbox (only the sweep is timed); into
    `database_url` when given (an empty database), else a fresh SQLite file."""
    return asyncio.run(_reader(port, workdir, database_url))


async def _reader(port: int, workdir: Path, database_url: str) -> tuple[int, float]:
    from domain.clock import SystemClock
    from intake.email.imap import ImapConfig, ImapSession
    from intake.email.parsing import ParseWorkers
    from intake.email.reader import ImapReader
    from intake.email.store import EmailIntake, IntakePolicy
    from runtime.heap import settle
    from storage import migrate
    from storage.db import Database
    from storage.files import FileStore
    from tests.integration.intake.email.helpers import seed_officer

    url = database_url or f"sqlite:///{workdir / 'newsdesk.db'}"
    migrate.upgrade(url)
    async with Database(url) as db:
        await seed_officer(db)
        config = ImapConfig(
            host="127.0.0.1", port=port, username="alice", password="alicepw", ssl=False
        )
        intake = EmailIntake(
            db=db,
            files=FileStore(workdir / "files"),
            clock=SystemClock(),
            policy=IntakePolicy(max_message_bytes=25 * 1_048_576),
        )
        limit = 25 * 1_048_576
        parser = None
        if PARSE_PROCESSES:  # as `serve` runs it by default (NEWSDESK_INTAKE__PARSE_PROCESSES)
            # NEWSDESK_INTAKE__PARSE_BUDGET_SECONDS's default
            parser = ParseWorkers(processes=PARSE_PROCESSES, budget_seconds=10.0)
        settle()  # as `serve` does once its components are built
        os.sync()  # the set-up's writes (a new database, the migrations) are not the sweep's
        watch = _PeakWatch()
        watch.start()
        started = time.perf_counter()  # set-up (migrations, imports) is not measured
        # `serve` starts the parse workers when a sweep finds mail: that is timed too.
        session = await asyncio.to_thread(ImapSession, config)
        reader = ImapReader(config=config, sink=intake, max_message_bytes=limit, parser=parser)
        count = await reader.sweep(session)
        await asyncio.to_thread(session.close)
        seconds = time.perf_counter() - started
        watch.stop()
        WORKER_PEAKS.extend(watch.peaks.values())
        return count or 0, seconds


PARSE_PROCESSES = int(os.environ.get("BENCH_PARSE_PROCESSES", "2"))
WORKER_PEAKS: list[int] = []  # KiB, high-water mark of each parse worker of the last run


class _PeakWatch(threading.Thread):
    """Samples the peak resident memory (VmHWM) of this process's children every 20 ms
    (the parse workers, which end with the sweep)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.02):
            for pid in _children(os.getpid()):
                self.peaks[pid] = max(self.peaks.get(pid, 0), peak_kib(pid))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def peak_kib(pid: int) -> int:
    """A live process's peak resident memory (VmHWM), KiB; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1])


MODES = {"bare": bare, "reference": reference, "reader": reader}
