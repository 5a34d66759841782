"""Storage rules without IMAP: senders, quarantine replies, limits, drop folder, import CLI."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.mail import MailOutcome
from intake.email.dropfolder import DropFolderReader, content_uid, file_batches, read_mail_file
from intake.email.model import FetchedMail, ReadMail
from intake.email.store import EmailIntake
from main import app
from runtime.serve import serve
from settings import Settings
from storage.db import Database
from storage.files import FileStore
from storage.models import Attachment, ProcessedMail, Submission
from tests.integration.intake.email.helpers import (
    count,
    golden,
    mail,
    outbox,
    processed,
    seed_officer,
    send_back,
    sink,
    submissions,
)

pytestmark = pytest.mark.integration


def fetched(raw: bytes, *, mailbox: str = "INBOX", truncated: bool = False) -> FetchedMail:
    return FetchedMail(mailbox, 1, content_uid(raw), raw, len(raw), truncated=truncated)


async def test_officer_address_maps_case_insensitively_and_nfc(
    database: Database, files: FileStore
) -> None:
    """The officer registered as Lan.NT@... sends as LAN.nt@...; a domain maps a unit."""
    await seed_officer(database)
    intake = sink(database, files)
    shouting = mail(1, sender="LAN.nt@SYT.hungyen.gov.vn")
    decomposed = golden("08-outlook-reply-en")  # bao.pq@skhcn...: the unit's domain
    assert await intake.accept_many([fetched(shouting), fetched(decomposed)]) == [
        "stored",
        "stored",
    ]
    first, second = await submissions(database)
    assert first.officer_id is not None and first.unit_id is not None
    assert (
        second.officer_id is None
        and second.unit_id is not None
        and second.unit_id != first.unit_id
    )
    assert second.kind == "article"
    assert all(unicodedata.is_normalized("NFC", s.text) for s in (first, second))


async def test_unknown_sender_is_quarantined_and_answered_once(
    database: Database, files: FileStore
) -> None:
    await seed_officer(database)
    intake = sink(database, files)
    stranger = [mail(i, sender="nguoila@gmail.com") for i in range(3)]
    assert await intake.accept_many([fetched(m) for m in stranger]) == ["quarantined"] * 3
    assert {s.status for s in await submissions(database)} == {"quarantined"}
    [reply] = await outbox(database)
    assert reply.recipient == "nguoila@gmail.com"
    assert "chưa được đăng ký" in reply.body and reply.in_reply_to


async def test_auto_replies_bounces_and_lists_get_no_answer(
    database: Database, files: FileStore
) -> None:
    await seed_officer(database)
    intake = sink(database, files)
    raws = [golden("37-auto-reply"), golden("38-bounce"), golden("39-mailing-list")]
    assert await intake.accept_many([fetched(r) for r in raws]) == ["quarantined"] * 3
    assert await outbox(database) == []
    assert all("automated_message" in s.warnings for s in await submissions(database))


async def test_refused_types_are_explained_and_the_rest_kept(
    database: Database, files: FileStore
) -> None:
    await seed_officer(database)
    intake = sink(database, files, allowed_extensions=("pdf",))
    raw = golden("04-gmail-photos").replace(b"Lan.NT@syt", b"lan.nt@syt")
    assert await intake.accept_many([fetched(raw)]) == ["stored"]
    [submission] = await submissions(database)
    assert sum(w.startswith("attachment_refused") for w in submission.warnings) == 3
    assert await count(database, Attachment) == 0
    receipt, refusal = await outbox(database)
    assert submission.code in receipt.subject
    assert "IMG_20251121_0830.jpg" in refusal.body and "pdf" in refusal.body


async def test_same_message_twice_is_one_submission(database: Database, files: FileStore) -> None:
    await seed_officer(database)
    intake = sink(database, files)
    raw = golden("12-outlook-docx-cover")
    first = await intake.accept_many([fetched(raw, mailbox="INBOX")])
    again = await intake.accept_many([fetched(raw, mailbox="Other")])
    assert (first, again) == (["stored"], ["duplicate"])
    [submission] = await submissions(database)
    assert submission.text.startswith("TRUYỀN THÔNG CHÍNH SÁCH")
    assert await count(database, Attachment) == 1
    assert len(await outbox(database)) == 1


async def test_drop_folder_commits_then_moves_and_survives_a_crash(
    database: Database, files: FileStore, tmp_path: Path
) -> None:
    await seed_officer(database)
    folder = tmp_path / "inbox"
    (folder / "new").mkdir(parents=True)
    (folder / "a.eml").write_bytes(mail(1))
    (folder / "new" / "1732590000.M1P2.host").write_bytes(mail(2))
    (folder / "b.eml").write_bytes(mail(3))
    intake = sink(database, files)
    # An earlier run committed b.eml and crashed before moving it:
    await intake.accept_many([read_mail_file(folder / "b.eml", mailbox="drop", max_bytes=10**6)])
    reader = DropFolderReader(folder=folder, sink=intake, max_message_bytes=1_000_000)
    assert await reader.sweep() == 2
    assert reader.pending() == []
    assert sorted(p.name for p in (folder / "processed").iterdir()) == [
        "1732590000.M1P2.host",
        "a.eml",
        "b.eml",
    ]
    assert await count(database, Submission) == 3
    assert all(row.moved for row in await processed(database))
    assert await reader.sweep() == 0


async def test_two_instances_on_one_drop_folder_store_and_move_each_file_once(
    database: Database, files: FileStore, tmp_path: Path
) -> None:
    """GIVEN two instances (two sinks, each its own lease holder) reading one drop folder
    WHEN they sweep at the same moment, five times THEN each file is stored once and moved
    once (no second copy in processed/), and no sweep fails."""
    await seed_officer(database)
    folder = tmp_path / "inbox"
    folder.mkdir()
    readers = [
        DropFolderReader(folder=folder, sink=sink(database, files), max_message_bytes=10**6)
        for _ in range(2)
    ]
    for index in range(60):
        (folder / f"m{index:03}.eml").write_bytes(mail(index))
    for _ in range(5):
        await asyncio.gather(*(r.sweep() for r in readers))
    assert await count(database, Submission) == 60
    moved = sorted(p.name for p in (folder / "processed").iterdir())
    assert moved == [f"m{index:03}.eml" for index in range(60)]
    rows = await processed(database)
    assert len(rows) == 60 and all(r.moved and r.outcome == "stored" for r in rows)


class BatchLog(EmailIntake):
    """The real sink, noting the size of each batch it is handed."""

    def __init__(self, intake: EmailIntake) -> None:
        super().__init__(db=intake.db, files=intake.files, clock=intake.clock)
        self.sizes: list[int] = []

    async def store(self, mails: Sequence[ReadMail]) -> list[MailOutcome]:
        self.sizes.append(len(mails))
        return await super().store(mails)


async def test_a_full_drop_folder_is_read_in_bounded_batches(
    database: Database, files: FileStore, tmp_path: Path
) -> None:
    await seed_officer(database)
    folder = tmp_path / "inbox"
    folder.mkdir()
    for n in range(7):
        (folder / f"{n}.eml").write_bytes(mail(n))
    intake = BatchLog(sink(database, files))
    reader = DropFolderReader(
        folder=folder, sink=intake, max_message_bytes=10**6, batch_size=3, batch_bytes=10**6
    )
    assert await reader.sweep() == 7
    assert intake.sizes == [3, 3, 1]
    assert reader.pending() == []
    assert await count(database, Submission) == 7
    assert await count(database, ProcessedMail) == 7
    # The byte budget splits too: each file weighs more than half of it.
    for n in range(7, 10):
        (folder / f"{n}.eml").write_bytes(mail(n))
    weight = max(p.stat().st_size for p in reader.pending())
    bounded = DropFolderReader(
        folder=folder, sink=intake, max_message_bytes=10**6, batch_bytes=weight + weight // 2
    )
    intake.sizes.clear()
    assert await bounded.sweep() == 3
    assert intake.sizes == [1, 1, 1]
    assert await count(database, Submission) == 10


def test_import_batches_keep_the_order_of_the_files(tmp_path: Path) -> None:
    paths = []
    for n, size in enumerate([10, 10, 30, 5, 5, 5]):
        path = tmp_path / f"{n}.eml"
        path.write_bytes(b"x" * size)
        paths.append(path)
    groups = file_batches(paths, max_bytes=20, batch_size=3, batch_bytes=25)
    # 30 bytes weigh only 20 (beyond max_bytes only the headers are read): 10+10, 20+5, 5+5.
    assert groups == [paths[0:2], paths[2:4], paths[4:6]]
    assert file_batches(paths, max_bytes=100, batch_size=2, batch_bytes=10**6) == [
        paths[0:2],
        paths[2:4],
        paths[4:6],
    ]
    assert file_batches(paths, max_bytes=100, batch_size=9, batch_bytes=34) == [
        paths[0:2],
        paths[2:3],
        paths[3:6],
    ]
    assert file_batches([], max_bytes=20) == []


async def test_oversize_file_is_recorded_not_lost(
    database: Database, files: FileStore, tmp_path: Path
) -> None:
    await seed_officer(database)
    (tmp_path / "big.eml").write_bytes(mail(1, size=200_000))
    intake = sink(database, files, max_message_bytes=50_000)
    reader = DropFolderReader(folder=tmp_path, sink=intake, max_message_bytes=50_000)
    assert await reader.sweep() == 1
    [row] = await processed(database)
    assert row.outcome == "refused"
    [reply] = await outbox(database)
    assert (
        "vượt quá mức tối đa" in reply.body and "0,19 MB" in reply.body and "0,05 MB" in reply.body
    )


def test_import_cli_stores_once(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"NEWSDESK_DATABASE__URL": database_url, "NEWSDESK_DATA_DIR": str(tmp_path / "data")}
    path = tmp_path / "x.eml"
    path.write_bytes(golden("05-gmail-poster"))
    first = runner.invoke(app, ["intake", "import", str(path)], env=env)
    assert first.exit_code == 0, first.output
    assert "người gửi chưa đăng ký" in first.output
    again = runner.invoke(app, ["intake", "import", str(path)], env=env)
    assert "đã có từ trước" in again.output
    junk = tmp_path / "anh.eml"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    mixed = runner.invoke(app, ["intake", "import", str(junk), str(path)], env=env)
    assert mixed.exit_code == 1
    assert f"{junk}: không phải thư điện tử" in mixed.output
    assert f"{path}: đã có từ trước" in mixed.output


async def test_serve_reads_the_drop_folder_when_imap_is_off(settings: Settings) -> None:
    settings.drop_dir.mkdir(parents=True)
    (settings.drop_dir / "tin.eml").write_bytes(golden("01-gmail-plain"))
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, stop=stop, ready=ready))
    await ready.wait()
    async with Database(settings.database_url) as db:
        for _ in range(300):
            if await count(db, ProcessedMail):
                break
            await asyncio.sleep(0.1)
        [submission] = await submissions(db)
    stop.set()
    await task
    assert submission.title == "Tin hội nghị tuyên truyền BHXH tự nguyện"
    assert (settings.drop_dir / "processed" / "tin.eml").exists()


async def test_reply_to_a_change_request_is_the_next_version(
    database: Database, files: FileStore
) -> None:
    """GIVEN a submission an editor sent back WHEN the officer answers in the same thread
    THEN it becomes revision 2 of the same code, back in review, with a second receipt;
    the same answer from an unregistered address stays a separate, quarantined item."""
    await seed_officer(database)
    intake = sink(database, files)
    original = mail(1)
    assert await intake.accept_many([fetched(original)]) == ["stored"]
    [first] = await submissions(database)
    await send_back(database, first)
    reply_id = f"<{first.reply_to_message_id}>"
    thread = f"In-Reply-To: {reply_id}\r\nReferences: {reply_id}\r\n".encode()
    answer = thread + mail(2)
    stranger = thread + mail(3, sender="nguoila@gmail.com")
    assert await intake.accept_many([fetched(answer), fetched(stranger)]) == [
        "revised",
        "quarantined",
    ]
    same, other = await submissions(database)
    assert same.id == first.id and same.revision == 2 and same.status == "pending_review"
    assert same.text.startswith("Nội dung tin số 2")
    assert other.status == "quarantined"
    receipts = [m for m in await outbox(database) if m.key.startswith("email-receipt")]
    assert [m.key for m in receipts] == [
        f"email-receipt:{first.id}:1",
        f"email-receipt:{first.id}:2",
    ]


async def test_a_reply_to_a_receipt_is_flagged_for_the_editor(
    database: Database, files: FileStore
) -> None:
    """GIVEN a stored mail and its receipt WHEN the officer answers the receipt ("thanks")
    THEN it is kept as a new item flagged as an answer to that submission's notification;
    an answer that is a revision (the item waits for changes) carries no such flag."""
    await seed_officer(database)
    intake = sink(database, files)
    assert await intake.accept_many([fetched(mail(1))]) == ["stored"]
    [first] = await submissions(database)
    [receipt] = await outbox(database)
    ours = f"<1795698941.2653.116461.outbox-{receipt.id}@stttt.hungyen.gov.vn>"
    original = f"<{first.reply_to_message_id}>"
    thread = f"In-Reply-To: {ours}\r\nReferences: {original} {ours}\r\n".encode()
    assert await intake.accept_many([fetched(thread + mail(2))]) == ["stored"]
    thanks = (await submissions(database))[-1]
    assert f"reply_to_notification: {first.code}" in thanks.warnings
    # the same thread from an address the receipt did not go to is not attributed
    other = thread + mail(4, sender="vanthu@skhcn.hungyen.gov.vn")
    assert await intake.accept_many([fetched(other)]) == ["stored"]
    colleague = (await submissions(database))[-1]
    assert not any(w.startswith("reply_to_notification") for w in colleague.warnings)
    await send_back(database, first)
    assert await intake.accept_many([fetched(thread + mail(3))]) == ["revised"]
    revised = next(s for s in await submissions(database) if s.id == first.id)
    assert revised.revision == 2
    assert not any(w.startswith("reply_to_notification") for w in revised.warnings)


async def test_drop_folder_rejects_what_is_not_mail_and_tells_the_editors(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN an empty file, a program, a random text and two real mails (one badly broken) in
    the drop folder WHEN serve reads it THEN the mails are stored, the three others move to
    rejected/ (kept, never a blank submission), each with a log line and one notice to the
    editors in the outbox, and a restart neither stores nor notifies anything twice."""
    from runtime.email import build_email_intake

    settings = settings.model_copy(
        update={"telegram": settings.telegram.model_copy(update={"editors_chat_id": -1001})}
    )
    drop = settings.drop_dir
    drop.mkdir(parents=True)
    (drop / "empty.eml").write_bytes(b"")
    (drop / "true.eml").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    (drop / "ghi-chu.eml").write_bytes("Ghi chú họp giao ban, không phải thư.\n".encode())
    (drop / "tin.eml").write_bytes(golden("01-gmail-plain"))
    (drop / "hong.eml").write_bytes(b"Subject: =?utf-8?B?broken\n\n\xff\xfe body")
    for _ in range(2):  # the second start finds nothing new
        stop, ready = asyncio.Event(), asyncio.Event()
        factories = [("email", build_email_intake)]
        with caplog.at_level("INFO"):
            task = asyncio.create_task(
                serve(settings, stop=stop, ready=ready, factories=factories)
            )
            await ready.wait()
            for _ in range(300):
                if not list(drop.glob("*.eml")):
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await task
    async with Database(settings.database_url) as db:
        stored = await submissions(db)
        notices = await outbox(db)
    assert len(stored) == 2  # the real mail and the broken one: nothing lost
    assert sorted(p.name for p in (drop / "rejected").iterdir()) == [
        "empty.eml", "ghi-chu.eml", "true.eml",
    ]  # fmt: skip
    assert sorted(p.name for p in (drop / "processed").iterdir()) == ["hong.eml", "tin.eml"]
    to_editors = [m for m in notices if m.recipient == "-1001"]
    assert len(to_editors) == 3
    assert all("không phải thư điện tử" in m.body for m in to_editors)
    assert any("“true.eml”" in m.body and "tệp nhị phân" in m.body for m in to_editors)
    assert any("“empty.eml”" in m.body and "tệp rỗng" in m.body for m in to_editors)
    lines = [r.getMessage() for r in caplog.records if "is not an e-mail" in r.getMessage()]
    assert len(lines) == 3
