"""`main.py serve` as a real process reading a real Dovecot mailbox through parse workers."""

from __future__ import annotations

import contextlib
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


def test_serve_parses_mail_in_workers_that_run_only_while_there_is_mail(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """GIVEN IMAP settings WHEN `serve` runs THEN it says it parses in up to 2 processes,
    runs none while the mailbox is empty, a mail appended is stored and moved by a worker
    whose environment holds none of the service's settings, the worker is gone once the
    sweep ends, and on SIGTERM the service exits 0."""
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
    log = tmp_path / "serve.log"
    with serving(env, log=log) as process:
        deadline = time.monotonic() + 60
        while "email intake: IMAP" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3)  # a sweep of the empty mailbox, then IDLE
        assert _children(process.pid) == []  # idle: no worker
        append(config, golden("04-gmail-photos"))
        environments: list[bytes] = []
        while count_in(config, config.processed_folder) < 1 and time.monotonic() < deadline:
            for pid in _children(process.pid):  # the password never reaches a worker
                with contextlib.suppress(OSError):  # ended meanwhile
                    environments.append(Path(f"/proc/{pid}/environ").read_bytes())
            time.sleep(0.02)
        while _children(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _children(process.pid) == []  # the sweep ended: so did its worker
        terminate(process)
    output = log.read_text()
    assert process.returncode == 0, output
    assert "(up to 2 parse processes)" in output and config.password not in output
    assert environments  # a worker was seen while the mail was read
    assert all(b"NEWSDESK_" not in environ for environ in environments)
    assert count_in(config, config.processed_folder) == 1
    assert count_in(config, config.mailbox) == 0
    with sqlite3.connect(tmp_path / "var" / "newsdesk.db") as db:
        [(stored,)] = db.execute("SELECT count(*) FROM submission").fetchall()
        [(files,)] = db.execute("SELECT count(*) FROM attachment").fetchall()
    assert stored == 1 and files >= 2  # the mail and its photos
