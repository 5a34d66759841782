"""`main.py serve` as a real process reading a real Dovecot mailbox through fetch workers."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from tests.fakes.dovecot import Dovecot
from tests.integration.intake.email.helpers import append, count_in, golden, new_mailbox
from tests.support.ports import free_port
from tests.support.serve import service_env, serving, terminate

pytestmark = pytest.mark.integration


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def test_serve_reads_the_mailbox_with_fetch_workers_and_stops_them(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """GIVEN IMAP settings WHEN `serve` runs THEN it says it reads the mailbox with 2 fetch
    processes, whose environment holds none of the service's settings, a mail appended is
    stored and moved, and on SIGTERM the service exits 0 and its workers are gone."""
    config = new_mailbox(dovecot)
    env = service_env(
        NEWSDESK_DATA_DIR=str(tmp_path / "var"),
        NEWSDESK_WEB__PORT=str(free_port()),
        NEWSDESK_IMAP__HOST=config.host,
        NEWSDESK_IMAP__PORT=str(config.port),
        NEWSDESK_IMAP__SSL="false",
        NEWSDESK_IMAP__USERNAME=config.username,
        NEWSDESK_IMAP__PASSWORD=config.password,
        NEWSDESK_IMAP__MAILBOX=config.mailbox,
        NEWSDESK_IMAP__PROCESSED_FOLDER=config.processed_folder,
        NEWSDESK_IMAP__IDLE_SECONDS="2",
    )
    with serving(env) as process:
        workers: list[int] = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            workers = _children(process.pid)
        assert len(workers) == 2, "the fetch workers did not start"
        for pid in workers:  # the password reached them on their stdin, not here
            assert b"NEWSDESK_" not in Path(f"/proc/{pid}/environ").read_bytes()
        append(config, golden("04-gmail-photos"))
        while count_in(config, config.processed_folder) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        output = terminate(process)
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
