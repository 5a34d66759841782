"""Hostile mail stored on both databases (issue 18, item 5): what SQLite accepted and
PostgreSQL refused (a string longer than its column, a NUL) is stored on both."""

from __future__ import annotations

import pytest

from intake.email.dropfolder import content_uid
from intake.email.model import FetchedMail
from storage.db import Database
from storage.files import FileStore
from storage.models import Attachment
from tests.integration.intake.email.helpers import processed, seed_officer, sink, submissions

pytestmark = pytest.mark.integration

SENDER = "lan.nt@syt.hungyen.gov.vn"  # registered by seed_officer()


def hostile(n: int, headers: str, body: str = "Nội dung tin.", part: str = "") -> bytes:
    text = (
        f"{headers}\r\nMessage-ID: <hostile{n}@test.vn>\r\n"
        "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        f"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        f"{part}--B--\r\n"
    )
    return text.encode("utf-8", "surrogateescape")


def pdf(content_type: str, filename: str = "bai.pdf") -> str:
    return (
        f"--B\r\nContent-Type: {content_type}\r\nContent-Disposition: attachment; "
        f'filename="{filename}"\r\n\r\n%PDF-1.4\r\n'
    )


HOSTILE = [
    # a From display name over 255 characters
    hostile(1, f"From: {'Phòng Văn hóa ' * 30}<{SENDER}>\r\nSubject: Tin 1"),
    # an attachment Content-Type over 255 characters
    hostile(2, f"From: Lan <{SENDER}>\r\nSubject: Tin 2", part=pdf("application/" + "x" * 300)),
    # a NUL in a charset label (the warning names it), in a subject and in a file name
    hostile(3, f"From: Lan <{SENDER}>\r\nSubject: =?utf-8x\x00?q?Tin_3?="),
    hostile(
        4, f"From: Lan <{SENDER}>\r\nSubject: =?utf-8?q?Tin=00_4?=", part=pdf("a/b", "a\x00b.pdf")
    ),
    # codecs that are no charsets, an RFC 2231 charset on an 8-bit part
    hostile(5, f"From: Lan <{SENDER}>\r\nSubject: =?rot13?q?Gva_5?="),
    hostile(
        6,
        f"From: Lan <{SENDER}>\r\nSubject: Tin 6",
        part="--B\r\nContent-Type: text/plain; charset*=utf-8''utf-8\r\n\r\nThêm nữa\r\n",
    ),
    # a Content-Disposition of ~200 KB with its quote left open
    hostile(
        7, f"From: Lan <{SENDER}>\r\nSubject: Tin 7", part=pdf("application/pdf", "a;" * 100_000)
    ),
    # a Message-ID and a title far longer than any column
    hostile(
        8,
        f"From: Lan <{SENDER}>\r\nSubject: {'Tiêu đề rất dài ' * 2_000}\r\n"
        f"In-Reply-To: <{'x' * 5_000}@a>",
    ),
]


def fetched(raw: bytes) -> FetchedMail:
    return FetchedMail("INBOX", 1, content_uid(raw), raw, len(raw))


async def test_hostile_mail_is_stored_on_both_databases(
    database: Database, files: FileStore
) -> None:
    """GIVEN mail with strings longer than their columns and NUL characters WHEN stored
    (on SQLite and on PostgreSQL) THEN every one becomes a submission from its sender, its
    strings cut to their columns with a warning and free of NUL; none is an error row."""
    await seed_officer(database)
    outcomes = await sink(database, files).accept_many([fetched(raw) for raw in HOSTILE])
    assert outcomes == ["stored"] * len(HOSTILE)
    assert all(row.outcome == "stored" and row.error is None for row in await processed(database))
    stored = {s.title[:5]: s for s in await submissions(database)}
    assert len(stored) == len(HOSTILE)
    for submission in stored.values():
        assert submission.sender == SENDER
        strings = [submission.title, submission.text, submission.sender_name, *submission.warnings]
        assert not any("\x00" in s for s in strings)
    long_name = next(s for s in stored.values() if s.sender_name.startswith("Phòng"))
    assert len(long_name.sender_name) == 255
    assert "field_truncated: sender_name" in long_name.warnings
    async with database.session() as db:
        rows = (await db.exec(Attachment.__table__.select())).all()  # type: ignore[attr-defined]
    assert rows and all(len(r.content_type) <= 255 and "\x00" not in r.filename for r in rows)
