"""The IMAP reader with parse worker processes, against a real Dovecot and real storage."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import os
import signal
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import col, select

from domain.mail import MailOutcome
from intake.email.batch import split_files
from intake.email.imap import ImapConfig, ImapSession
from intake.email.model import FetchedMail, ReadMail
from intake.email.parsing import PARSE_FAILED, ParseWorkers
from intake.email.reader import ImapReader
from mime.parse import parse_message
from runtime.context import AppContext
from runtime.email import build_email_intake
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import Attachment, Submission, SubmissionRevision
from tests.fakes.dovecot import Dovecot
from tests.integration.intake.email.helpers import (
    ALLOWED,
    append,
    count,
    count_in,
    golden,
    mail,
    new_mailbox,
    processed,
    seed_officer,
    send_back,
    sink,
    submissions,
)
from tests.integration.intake.email.test_reader import LIMIT, wait_until
from tests.support.tcpcut import CuttableRelay

pytestmark = pytest.mark.integration


def reader_with(
    config: ImapConfig, db: Database, files: FileStore, parser: ParseWorkers
) -> ImapReader:
    return ImapReader(
        config=config,
        sink=sink(db, files),
        max_message_bytes=LIMIT,
        idle_seconds=2,
        backoff_max=0.2,
        parser=parser,
    )


async def sweep_with_workers(config: ImapConfig, db: Database, files: FileStore) -> int | None:
    parser = ParseWorkers(processes=2)
    session = await asyncio.to_thread(ImapSession, config)
    try:
        return await reader_with(config, db, files, parser).sweep(session)
    finally:
        await asyncio.to_thread(session.close)


async def test_workers_store_what_the_service_process_would(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    """GIVEN mail with photos, winmail.dat, a Word file and a video WHEN worker processes
    parse it THEN each submission, its text and every attachment row match the in-process
    parser, the raw mail and every file are on disk, and no worker outlives the sweep."""
    await seed_officer(database)
    config = new_mailbox(dovecot)
    names = ["04-gmail-photos", "10-outlook-winmail", "12-outlook-docx-cover", "23-android-video"]
    raws = [golden(name) for name in names] + [mail(1)]
    append(config, *raws)
    parser = ParseWorkers(processes=2)
    session = await asyncio.to_thread(ImapSession, config)
    try:
        swept = await reader_with(config, database, files, parser).sweep(session)
    finally:
        await asyncio.to_thread(session.close)
    assert swept == 5 and parser.pids() == []
    assert count_in(config, config.processed_folder) == 5
    rows = await processed(database)  # golden senders outside the registry are quarantined
    assert len(rows) == 5 and {r.outcome for r in rows} <= {"stored", "quarantined"}
    checked = 0
    async with database.session() as db:
        for raw in raws:
            digest = hashlib.sha256(raw).hexdigest()
            revision = (
                await db.exec(
                    select(SubmissionRevision).where(
                        SubmissionRevision.source_key == f"email:{digest}"
                    )
                )
            ).one()
            submission = await db.get(Submission, revision.submission_id)
            assert submission is not None
            rows = (
                await db.exec(
                    select(Attachment)
                    .where(Attachment.submission_id == submission.id)
                    .order_by(col(Attachment.position))
                )
            ).all()
            parsed = parse_message(raw)
            kept = split_files(parsed, ALLOWED)[0]
            assert (submission.title, submission.text, submission.kind) == (
                parsed.title,
                parsed.text,
                parsed.kind,
            )
            assert [(a.filename, a.content_type, a.size, a.sha256) for a in rows] == [
                (k.filename, k.content_type, len(k.data), k.sha256) for k in kept
            ]
            assert all(files.read(k.sha256 or "") == k.data for k in kept)
            checked += len(kept)
            assert revision.raw_sha256 == digest and files.read(digest) == raw
    assert checked >= 5  # photos, the unpacked winmail.dat, the Word file, the video


async def test_a_cut_connection_loses_and_doubles_nothing(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    """GIVEN a reader with parse workers WHEN its IMAP connection is cut (server restart,
    broken network) and mail arrives THEN each message is stored and moved once."""
    await seed_officer(database)
    direct = new_mailbox(dovecot)
    relay = CuttableRelay(dovecot.port)
    config = replace(direct, port=relay.port)
    running = reader_with(config, database, files, ParseWorkers(processes=2))
    stop = asyncio.Event()
    task = asyncio.create_task(running.run(stop))
    try:

        async def connected() -> bool:
            return relay.connections >= 1 and running.sweeps >= 1

        await wait_until(connected)
        before = relay.connections
        relay.cut()
        append(direct, *(mail(i) for i in range(6)))

        async def all_moved() -> bool:
            return count_in(direct, direct.processed_folder) == 6

        await wait_until(all_moved)
    finally:
        stop.set()
        await task
        relay.close()
    assert relay.connections > before  # the reader reconnected
    assert await count(database, Submission) == 6
    rows = await processed(database)
    assert len(rows) == 6 and {r.outcome for r in rows} == {"stored"}


def items(*raws: bytes) -> list[FetchedMail]:
    return [FetchedMail("INBOX", 1, n + 1, raw, len(raw)) for n, raw in enumerate(raws)]


async def test_a_killed_worker_is_replaced_and_its_mail_parsed_again() -> None:
    """GIVEN parse workers WHEN one is killed while idle, or while it parses a mail (out
    of memory, an operator) THEN the mail goes to a fresh worker and every result is the
    in-process parser's."""
    raws = [golden("04-gmail-photos"), mail(1), mail(2, size=2_000_000)]
    parser = ParseWorkers(processes=1)
    try:
        first = await parser.read(items(*raws))
        [victim] = parser.pids()
        os.kill(victim, signal.SIGKILL)  # while idle
        again = await parser.read(items(*raws))
        [second] = parser.pids()
        assert second != victim
        killer = threading.Timer(0.05, os.kill, (second, signal.SIGKILL))  # mid-batch
        killer.start()
        third = await parser.read(items(*raws))
        killer.join()
        assert second not in parser.pids()
    finally:
        await parser.close()
    assert parser.pids() == []
    expected = [(parse_message(raw), hashlib.sha256(raw).hexdigest()) for raw in raws]
    for result in (first, again, third):
        assert [(r.parsed, r.sha256) for r in result] == expected


async def test_a_mail_its_worker_dies_on_twice_is_kept_raw_and_flagged() -> None:
    """GIVEN a mail whose worker ends twice while parsing it WHEN it is read THEN it comes
    back empty with the warning `parse_failed` (the raw mail is still stored by the sink),
    and the next mail parses in a fresh worker."""
    parser = ParseWorkers(processes=1)
    stop = threading.Event()

    def kill_every_worker() -> None:  # each worker dies while it starts up
        while not stop.is_set():
            for pid in parser.pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            stop.wait(0.002)

    doomed, next_one = mail(1), mail(2)
    killer = threading.Thread(target=kill_every_worker)
    killer.start()
    try:
        [dead] = await parser.read(items(doomed))
    finally:
        stop.set()
        killer.join()
    try:
        [alive] = await parser.read(items(next_one))
    finally:
        await parser.close()
    assert (
        dead.parsed.warnings == (PARSE_FAILED,)
        and dead.sha256 == hashlib.sha256(doomed).hexdigest()
    )
    assert alive.parsed == parse_message(next_one)


async def test_serve_runs_the_configured_number_of_parse_workers(
    database: Database, database_url: str, tmp_path: Path, files: FileStore
) -> None:
    imap = {"host": "imap.example.vn", "username": "ub", "password": "pw"}
    base = Settings(data_dir=tmp_path, database={"url": database_url}, imap=imap,  # type: ignore[arg-type]
                    intake={"parse_processes": 3}, _env_file=None)  # type: ignore[arg-type, call-arg]  # fmt: skip
    off = base.model_copy(update={"intake": base.intake.model_copy(update={"parse_processes": 0})})
    for settings, expected in ((base, 3), (off, None)):
        ctx = AppContext(settings=settings, db=database, files=files, clock=None,  # type: ignore[arg-type]
                         http=None, web_app=None)  # type: ignore[arg-type]  # fmt: skip
        reader, line = await build_email_intake(ctx)
        assert isinstance(reader, ImapReader)
        assert (reader.parser.processes if reader.parser else None) == expected
        assert ("up to 3 parse processes" in line) == (expected == 3)


async def test_an_answer_with_photos_through_the_workers_is_the_next_version(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    """GIVEN a submission sent back for changes WHEN the officer answers in the thread with
    photos, parsed by the workers THEN it is revision 2 of the same code, and the photos of
    that revision carry their real sizes and are on disk."""
    await seed_officer(database)
    config = new_mailbox(dovecot)
    append(config, mail(1))
    assert await sweep_with_workers(config, database, files) == 1
    [first] = await submissions(database)
    await send_back(database, first)
    reply_id = f"<{first.reply_to_message_id}>"
    answer = f"In-Reply-To: {reply_id}\r\nReferences: {reply_id}\r\n".encode() + golden(
        "04-gmail-photos"
    )
    append(config, answer)
    assert await sweep_with_workers(config, database, files) == 1
    assert [r.outcome for r in await processed(database)] == ["stored", "revised"]
    [same] = await submissions(database)
    assert same.id == first.id and same.revision == 2 and same.status == "pending_review"
    kept = split_files(parse_message(answer), ALLOWED)[0]
    async with database.session() as db:
        rows = (
            await db.exec(
                select(Attachment)
                .where(Attachment.submission_id == first.id, Attachment.revision == 2)
                .order_by(col(Attachment.position))
            )
        ).all()
    assert len(kept) >= 2
    assert [(a.sha256, a.size) for a in rows] == [(k.sha256, len(k.data)) for k in kept]
    assert all(files.read(a.sha256) == k.data for a, k in zip(rows, kept, strict=True))


async def test_a_failed_commit_loses_and_doubles_nothing(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    """GIVEN workers and batches of one message WHEN the second batch's commit fails THEN
    the first batch is moved, the others stay in the mailbox, and the next sweep stores
    each message once."""
    await seed_officer(database)
    config = replace(new_mailbox(dovecot), batch_size=1)
    append(config, *(mail(i) for i in range(3)))
    intake = sink(database, files)
    real_store = intake.store
    calls: list[int] = []

    async def second_fails(mails: Sequence[ReadMail]) -> list[MailOutcome]:
        calls.append(mails[0].mail.uid)
        if len(calls) == 2:
            raise OSError(errno.EIO, "disk I/O error")  # the database's disk, once
        return await real_store(mails)

    intake.store = second_fails  # type: ignore[method-assign]
    parser = ParseWorkers(processes=2)
    running = ImapReader(config=config, sink=intake, max_message_bytes=LIMIT, parser=parser)
    session = await asyncio.to_thread(ImapSession, config)
    try:
        with pytest.raises(OSError, match="disk I/O error"):
            await running.sweep(session)
        assert parser.pids() == []
        assert count_in(config, config.processed_folder) == 1
        assert count_in(config, config.mailbox) == 2
        await asyncio.to_thread(session.refresh)
        assert await running.sweep(session) == 2
    finally:
        await asyncio.to_thread(session.close)
    assert count_in(config, config.processed_folder) == 3
    assert await count(database, Submission) == 3
    rows = await processed(database)
    assert len(rows) == 3 and {r.outcome for r in rows} == {"stored"}


async def test_a_mail_over_its_parse_budget_is_kept_raw_flagged_and_the_mailbox_moves_on(
    dovecot: Dovecot, database: Database, files: FileStore
) -> None:
    """GIVEN a mail that takes far longer to parse than a (tiny, for the test) CPU budget,
    between two ordinary ones WHEN the workers sweep THEN all three are stored and moved:
    the slow one raw, quarantined with the warning `parse_over_budget` for the editors."""
    await seed_officer(database)
    config = new_mailbox(dovecot)
    slow = mail(2, size=3_000_000)  # ~38,000 lines: tens of CPU-ms, over a 5 ms budget
    append(config, mail(1), slow, mail(3))
    parser = ParseWorkers(processes=1, budget_seconds=0.005)
    session = await asyncio.to_thread(ImapSession, config)
    try:
        swept = await reader_with(config, database, files, parser).sweep(session)
    finally:
        await asyncio.to_thread(session.close)
    assert swept == 3 and count_in(config, config.processed_folder) == 3
    stored = await submissions(database)
    flagged = [s for s in stored if any(w.startswith("parse_over_budget") for w in s.warnings)]
    assert len(stored) == 3 and len(flagged) == 1
    assert flagged[0].status == "quarantined" and flagged[0].text == ""
    assert sorted(s.title for s in stored if s not in flagged) == ["Tin so 1", "Tin so 3"]
    digest = hashlib.sha256(slow).hexdigest()
    assert files.read(digest) == slow  # kept raw for the editors
