"""The IMAP reader against a real Dovecot, real storage and a real SMTP server."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from sqlmodel import select

from domain.clock import SystemClock
from domain.mail import MailOutcome
from intake.email.imap import ImapConfig, ImapSession
from intake.email.model import ReadMail
from intake.email.reader import ImapReader
from outbox.email import EmailSender
from outbox.worker import OutboxWorker
from storage.db import Database
from storage.files import FileStore
from storage.models import Attachment, ProcessedMail, Submission, SubmissionRevision
from tests.fakes.dovecot import Dovecot
from tests.integration.intake.email.helpers import (
    append,
    client,
    count,
    count_in,
    golden,
    mail,
    new_mailbox,
    processed,
    seed_officer,
    sink,
    submissions,
)
from tests.support.smtp import SmtpSink, smtp_settings_for

pytestmark = pytest.mark.integration
LIMIT = 5 * 1_048_576


def reader(config: ImapConfig, db: Database, files: FileStore, **kwargs: object) -> ImapReader:
    return ImapReader(
        config=config,
        sink=sink(db, files),
        max_message_bytes=LIMIT,
        idle_seconds=2,
        backoff_max=0.2,
        **kwargs,  # type: ignore[arg-type]
    )


async def sweep_once(config: ImapConfig, db: Database, files: FileStore) -> int:
    session = await asyncio.to_thread(ImapSession, config)
    try:
        return await reader(config, db, files).sweep(session)
    finally:
        await asyncio.to_thread(session.close)


async def wait_until(predicate: Callable[[], Awaitable[bool]]) -> None:
    """Wait for a condition (not a timing assertion: fails only if it never happens)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.1)


async def test_appended_message_becomes_one_submission_and_one_threaded_receipt(
    dovecot: Dovecot, database: Database, files: FileStore, smtp_sink: SmtpSink
) -> None:
    """GIVEN a registered officer WHEN her mail arrives while the reader idles
    THEN one submission, one receipt threaded to her Message-ID, mail moved."""
    await seed_officer(database)
    config = new_mailbox(dovecot)
    stop = asyncio.Event()
    task = asyncio.create_task(reader(config, database, files).run(stop))
    await asyncio.sleep(0.5)  # let it reach IDLE; the message then arrives "live"
    append(config, golden("01-gmail-plain"))

    async def stored() -> bool:
        return await count(database, ProcessedMail) == 1 and count_in(config, config.mailbox) == 0

    await wait_until(stored)
    stop.set()
    await task
    [submission] = await submissions(database)
    assert submission.status == "pending_review" and submission.title.startswith("Tin hội nghị")
    assert count_in(config, config.processed_folder) == 1
    worker = OutboxWorker(
        database, [EmailSender(smtp_settings_for(smtp_sink), files=files)], clock=SystemClock()
    )
    assert await worker.drain() == 1
    [receipt] = smtp_sink.wait_for(1)
    message = receipt.message
    assert receipt.rcpt_tos == ["lan.nt@syt.hungyen.gov.vn"]
    assert message["In-Reply-To"] == "<CAF1gmail01@mail.gmail.com>"
    assert "<CAF1gmail01@mail.gmail.com>" in message["References"]
    assert submission.code in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert f"Mã tiếp nhận: {submission.code}" in body and "Sở Y tế" in body
    # A second sweep finds nothing new.
    assert await sweep_once(config, database, files) == 0
    assert await count(database, Submission) == 1


class DroppingSession(ImapSession):
    """A real session whose TCP connection is cut once, during the second body fetch."""

    drops = 0

    def bodies(self, uids: list[int]) -> dict[int, bytes]:
        DroppingSession.fetches += 1
        if DroppingSession.fetches == 2 and DroppingSession.drops == 0:
            DroppingSession.drops += 1
            self.client.socket().shutdown(socket.SHUT_RDWR)
        return super().bodies(uids)

    fetches = 0


async def test_connection_dropped_mid_fetch_processes_each_message_once(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    await seed_officer(database)
    config = new_mailbox(dovecot)
    append(config, *(mail(i) for i in range(5)))
    DroppingSession.fetches = DroppingSession.drops = 0
    stop = asyncio.Event()
    task = asyncio.create_task(reader(config, database, files, connect=DroppingSession).run(stop))

    async def all_moved() -> bool:
        return count_in(config, config.processed_folder) == 5

    await wait_until(all_moved)
    stop.set()
    await task
    assert DroppingSession.drops == 1
    assert await count(database, Submission) == 5
    rows = await processed(database)
    assert len(rows) == 5 and {r.outcome for r in rows} == {"stored"}


async def test_killed_between_commit_and_move_is_not_processed_again(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    """GIVEN messages committed but never moved (process killed) WHEN a fresh reader starts
    THEN they are moved without a second submission."""
    await seed_officer(database)
    config = new_mailbox(dovecot)
    append(config, mail(1), mail(2), mail(3))
    first = reader(config, database, files)
    session = await asyncio.to_thread(ImapSession, config)
    uids = await asyncio.to_thread(session.all_uids)
    items = await asyncio.to_thread(first.fetch, session, uids[:2], session.uidvalidity)
    await first.sink.accept_many(items)  # committed ...
    await asyncio.to_thread(session.close)  # ... and the process dies before the move
    assert count_in(config, config.mailbox) == 3
    assert await sweep_once(config, database, files) == 1  # only the third is new
    assert count_in(config, config.mailbox) == 0
    assert count_in(config, config.processed_folder) == 3
    assert await count(database, Submission) == 3


async def test_a_file_store_that_cannot_be_written_commits_and_moves_nothing(
    dovecot: Dovecot, database: Database, tmp_path: Path
) -> None:
    """GIVEN a file store whose disk refuses writes WHEN mail arrives THEN no row is committed
    and nothing is moved (a row never names a file that is not on disk); once the disk is
    back, each message is stored once, with its raw mail and every attachment on disk."""
    await seed_officer(database)
    config = new_mailbox(dovecot)
    append(config, golden("04-gmail-photos"), mail(1))
    root = tmp_path / "files"
    root.write_bytes(b"")  # a file where the store's folder should be: every write fails
    files = FileStore(root)
    running = reader(config, database, files)
    stop = asyncio.Event()
    task = asyncio.create_task(running.run(stop))

    async def retried() -> bool:
        return running.sweeps >= 3

    await wait_until(retried)
    assert await count(database, ProcessedMail) == 0
    assert await count(database, Submission) == 0
    assert count_in(config, config.mailbox) == 2
    root.unlink()  # the disk is back

    async def all_moved() -> bool:
        return count_in(config, config.processed_folder) == 2

    await wait_until(all_moved)
    stop.set()
    await task
    assert {r.outcome for r in await processed(database)} == {"stored"}
    assert await count(database, Submission) == 2
    async with database.session() as session:
        digests = [a.sha256 for a in (await session.exec(select(Attachment))).all()]
        digests += [r.raw_sha256 for r in (await session.exec(select(SubmissionRevision))).all()]
    assert len(digests) >= 4  # two raw mails and the photos of 04-gmail-photos
    assert all(d is not None and files.exists(d) for d in digests)


async def test_a_failed_commit_moves_nothing_and_leaves_no_temporary_files(
    dovecot: Dovecot, database: Database, tmp_path: Path
) -> None:
    """GIVEN batches of one message, the next ones fetched and parsed while the first is
    stored WHEN that commit fails after its files were written THEN the sweep fails,
    nothing is moved or recorded, and no temporary file is left behind."""
    await seed_officer(database)
    config = dataclasses.replace(new_mailbox(dovecot), batch_size=1)
    append(config, mail(1), mail(2), mail(3))
    files = FileStore(tmp_path / "files")
    intake = sink(database, files)

    async def commit_fails(mails: Sequence[ReadMail]) -> list[MailOutcome]:
        blobs = [(m.mail.raw, m.sha256) for m in mails]  # as store() starts: files first
        await asyncio.to_thread(files.put_many, blobs)
        raise OSError(errno.EIO, "disk I/O error")  # then the database's disk fails

    intake.store = commit_fails  # type: ignore[method-assign]
    running = ImapReader(config=config, sink=intake, max_message_bytes=LIMIT)
    session = await asyncio.to_thread(ImapSession, config)
    try:
        with pytest.raises(OSError, match="disk I/O error"):
            await running.sweep(session)
    finally:
        await asyncio.to_thread(session.close)
    assert count_in(config, config.mailbox) == 3
    assert await count(database, ProcessedMail) == 0
    assert os.listdir(tmp_path / "files" / ".tmp") == []
    assert files.sweep_temporary(older_than=0) == 0


async def test_uidvalidity_change_does_not_duplicate(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    """GIVEN committed-but-unmoved mail WHEN the mailbox is deleted and recreated (new
    UIDVALIDITY, same messages again) THEN Message-ID + content hash recognise them."""
    await seed_officer(database)
    config = new_mailbox(dovecot)
    one, two, three = mail(1), mail(2), mail(3)
    append(config, one, two)
    first = reader(config, database, files)
    session = await asyncio.to_thread(ImapSession, config)
    old_validity = session.uidvalidity
    items = await asyncio.to_thread(first.fetch, session, session.all_uids(), old_validity)
    await first.sink.accept_many(items)
    await asyncio.to_thread(session.close)
    with client(config) as imap:
        imap.delete_folder(config.mailbox)
        imap.create_folder(config.mailbox)
    append(config, one, two, three)
    session = await asyncio.to_thread(ImapSession, config)
    assert session.uidvalidity != old_validity
    await asyncio.to_thread(session.close)
    assert await sweep_once(config, database, files) == 3
    assert await count(database, Submission) == 3
    outcomes = sorted(r.outcome for r in await processed(database))
    assert outcomes == ["duplicate", "duplicate", "stored", "stored", "stored"]
    assert count_in(config, config.mailbox) == 0


async def test_two_instances_on_postgres_process_each_message_once(
    dovecot: Dovecot, pg_database: Database, files: FileStore
) -> None:
    await seed_officer(pg_database)
    config = new_mailbox(dovecot)
    append(config, *(mail(i) for i in range(8)))
    results = await asyncio.gather(
        sweep_once(config, pg_database, files), sweep_once(config, pg_database, files)
    )
    # One holds the mailbox's lease; the other finds it held (None) or, after it, nothing left.
    assert sum(r or 0 for r in results) == 8
    assert await count(pg_database, Submission) == 8
    assert await count(pg_database, ProcessedMail) == 8
    assert count_in(config, config.processed_folder) == 8
    assert all(row.moved for row in await processed(pg_database))


async def test_oversize_mail_is_recorded_refused_and_answered(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    await seed_officer(database)
    config = new_mailbox(dovecot)
    append(config, mail(1, size=LIMIT + 10_000), mail(2))
    assert await sweep_once(config, database, files) == 2
    rows = await processed(database)
    assert sorted(r.outcome for r in rows) == ["refused", "stored"]
    assert await count(database, Submission) == 1
    assert count_in(config, config.processed_folder) == 2


async def test_wrong_password_retries_quietly_and_never_logs_it(
    dovecot: Dovecot, database: Database, files: FileStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A login failure is retried with backoff (the service keeps running); the password
    never appears in the log."""
    config = new_mailbox(dovecot)
    secret = "sai-mat-khau-Bí-Mật-42"
    wrong = ImapConfig(**{**config.__dict__, "password": secret})
    reader_ = reader(wrong, database, files)
    stop = asyncio.Event()
    task = asyncio.create_task(reader_.run(stop))

    async def retried_twice() -> bool:
        return len([r for r in caplog.records if "reconnecting" in r.getMessage()]) >= 2

    await wait_until(retried_twice)
    assert not task.done()
    stop.set()
    await task
    assert secret not in caplog.text and secret not in repr(wrong)
