"""`main.py serve` as a real process reading a real Dovecot mailbox through fetch workers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.dovecot import Dovecot
from tests.integration.email.helpers import append, count_in, golden, new_mailbox
from tests.support.ports import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def test_serve_reads_the_mailbox_with_fetch_workers_and_stops_them(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """GIVEN IMAP settings WHEN `serve` runs THEN it says it reads the mailbox with 2 fetch
    processes, a mail appended is stored and moved, and on SIGTERM the service exits 0 and
    its workers are gone."""
    config = new_mailbox(dovecot)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env |= {
        "NEWSDESK_DATA_DIR": str(tmp_path / "var"),
        "NEWSDESK_WEB__PORT": str(free_port()),
        "NEWSDESK_IMAP__HOST": config.host,
        "NEWSDESK_IMAP__PORT": str(config.port),
        "NEWSDESK_IMAP__SSL": "false",
        "NEWSDESK_IMAP__USERNAME": config.username,
        "NEWSDESK_IMAP__PASSWORD": config.password,
        "NEWSDESK_IMAP__MAILBOX": config.mailbox,
        "NEWSDESK_IMAP__PROCESSED_FOLDER": config.processed_folder,
        "NEWSDESK_IMAP__IDLE_SECONDS": "2",
    }
    subprocess.run(
        [sys.executable, "main.py", "db", "upgrade"], cwd=ROOT, env=env, check=True, timeout=120
    )
    process = subprocess.Popen(
        [sys.executable, "main.py", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            workers = _children(process.pid)
        assert len(workers) == 2, "the fetch workers did not start"
        append(config, golden("04-gmail-photos"))
        while count_in(config, config.processed_folder) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "(2 fetch processes)" in output and config.password not in output
    assert count_in(config, config.processed_folder) == 1
    assert count_in(config, config.mailbox) == 0
    with sqlite3.connect(tmp_path / "var" / "newsdesk.db") as db:
        [(stored,)] = db.execute("SELECT count(*) FROM submission").fetchall()
        [(files,)] = db.execute("SELECT count(*) FROM attachment").fetchall()
    assert stored == 1 and files >= 2  # the mail and its photos
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
