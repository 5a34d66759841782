"""Two `main.py serve` processes read one mailbox on one PostgreSQL: the one holding the
mailbox is frozen (SIGSTOP, as a hung host) and the other takes over once its lease runs out."""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from pathlib import Path

import psycopg
import pytest

from intake.email.imap import ImapConfig
from tests.fakes.dovecot import Dovecot
from tests.integration.intake.email.helpers import append, count_in, mail, new_mailbox
from tests.support.serve import service_env, serving, terminate

pytestmark = pytest.mark.integration
LOCK_SECONDS = 6  # the default is 30: takeover within 30 s + a retry of 10 s
IDLE_TRANSACTION_SECONDS = 8  # the default is 60


def idle_in_transaction(pg: psycopg.Connection, holder: str) -> bool:
    """Whether the holder's instance has a session stopped inside a transaction."""
    instance = holder.split(":")[0]
    row = pg.execute(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = %s AND state = 'idle in transaction'",
        (f"newsdesk:{instance}",),
    ).fetchone()
    return bool(row and row[0])


def writing(pg: psycopg.Connection) -> str | None:
    """The mailbox's holder when it is between two statements of a transaction."""
    holder = lease_holder(pg)
    return holder if holder and idle_in_transaction(pg, holder) else None


def lease_holder(pg: psycopg.Connection) -> str | None:
    row = pg.execute(
        "SELECT holder FROM lease WHERE name LIKE 'mail:%' AND expires_at > now()"
    ).fetchone()
    return str(row[0]) if row else None


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def all_moved(config: ImapConfig, total: int) -> bool:
    return count_in(config, config.processed_folder) == total


def count(pg: psycopg.Connection, sql: str) -> int:
    return int(pg.execute(sql).fetchone()[0])  # type: ignore[index]


def test_a_frozen_mailbox_holder_is_replaced(
    dovecot: Dovecot, pg_url: str, tmp_path: Path
) -> None:
    """GIVEN two instances reading one mailbox WHEN the one holding it is stopped (SIGSTOP)
    mid-sweep, preferably inside a transaction that holds keys of mail not yet committed,
    THEN the other holds the mailbox within the lease time and stores the rest (once
    PostgreSQL has ended the frozen session); after SIGCONT nothing is stored or moved
    twice."""
    config = new_mailbox(dovecot)

    def env(instance: str) -> dict[str, str]:
        return service_env(
            NEWSDESK_DATABASE__URL=pg_url,
            NEWSDESK_DATA_DIR=str(tmp_path / "shared"),
            NEWSDESK_INSTANCE_NAME=instance,
            NEWSDESK_COMPONENTS_OFF='["telegram", "publisher", "scheduler", "outbox", "web"]',
            NEWSDESK_IMAP__HOST=config.host,
            NEWSDESK_IMAP__PORT=str(config.port),
            NEWSDESK_IMAP__SSL="false",
            NEWSDESK_IMAP__USERNAME=config.username,
            NEWSDESK_IMAP__PASSWORD=config.password,
            NEWSDESK_IMAP__MAILBOX=config.mailbox,
            NEWSDESK_IMAP__PROCESSED_FOLDER=config.processed_folder,
            NEWSDESK_IMAP__IDLE_SECONDS="2",
            NEWSDESK_INTAKE__PARSE_PROCESSES="0",
            NEWSDESK_INTAKE__LOCK_SECONDS=str(LOCK_SECONDS),
            NEWSDESK_DATABASE__IDLE_TRANSACTION_SECONDS=str(IDLE_TRANSACTION_SECONDS),
        )

    pg_dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with (
        psycopg.connect(pg_dsn, autocommit=True) as pg,
        serving(env("a"), log=tmp_path / "a.log") as a,
        serving(env("b"), log=tmp_path / "b.log") as b,
    ):
        processes = {"a": a, "b": b}
        total, frozen, holder, mid_transaction = 0, None, "", False
        for _ in range(5):
            append(config, *(mail(total + i) for i in range(300)))
            total += 300
            assert wait_for(lambda: lease_holder(pg) is not None, 60), "nobody took the mailbox"
            # Best: stop the holder between two statements of a transaction, holding the
            # unique keys of mail its successor will store (its session is then ended by
            # PostgreSQL after NEWSDESK_DATABASE__IDLE_TRANSACTION_SECONDS).
            mid_transaction = wait_for(lambda: writing(pg) is not None, 5)
            holder = writing(pg) or lease_holder(pg) or ""
            if not holder:
                continue
            frozen = processes[holder.split(":")[0]]
            os.kill(frozen.pid, signal.SIGSTOP)
            stopped_at = time.monotonic()
            mid_transaction = mid_transaction and idle_in_transaction(pg, holder)
            if lease_holder(pg) == holder:
                break  # stopped while holding the mailbox
            os.kill(frozen.pid, signal.SIGCONT)
            frozen = None
            assert wait_for(partial(all_moved, config, total), 120)
        assert frozen is not None, "never caught an instance holding the mailbox"
        assert wait_for(lambda: (lease_holder(pg) or holder) != holder, 60)
        takeover = time.monotonic() - stopped_at
        assert wait_for(partial(all_moved, config, total), 120)
        os.kill(frozen.pid, signal.SIGCONT)
        time.sleep(LOCK_SECONDS / 2)  # it wakes, finds its lease gone, leaves the rest alone
        outputs = [terminate(p) for p in processes.values()]
        submissions = count(pg, "SELECT count(*) FROM submission")
        rows = count(pg, "SELECT count(*) FROM processed_mail")
        unmoved = count(pg, "SELECT count(*) FROM processed_mail WHERE NOT moved")
    where = "inside a transaction" if mid_transaction else "between transactions"
    print(f"takeover after SIGSTOP {where}: {takeover:.1f} s (lease {LOCK_SECONDS} s)")
    assert takeover < 30, takeover  # the lease (6 s) plus a retry (2 s), with room for a busy host
    assert (submissions, rows, unmoved) == (total, total, 0)
    assert count_in(config, config.processed_folder) == total
    assert count_in(config, config.mailbox) == 0
    assert all(p.returncode == 0 for p in processes.values()), outputs
