"""Shared helpers for e-mail integration tests (seeding, IMAP set-up, counting)."""

from __future__ import annotations

import uuid

from imapclient import IMAPClient
from sqlalchemy import func
from sqlmodel import select

from domain.clock import SystemClock
from domain.kinds import UnitKind
from intake.email.imap import ImapConfig
from intake.email.store import EmailIntake, IntakePolicy
from storage.db import Database
from storage.files import FileStore
from storage.models import OutboxMessage, ProcessedMail, Submission
from storage.registry import create_officer, upsert_unit
from storage.submissions import transition
from tests.fakes.dovecot import Dovecot
from tests.support import paths

GOLDEN = paths.GOLDEN / "mail"
ALLOWED = ("jpg", "jpeg", "png", "pdf", "docx", "mp4")


def golden(name: str) -> bytes:
    """Raw bytes of a golden-corpus message by name fragment."""
    [path] = [p for p in GOLDEN.glob("*.eml") if name in p.name]
    return path.read_bytes()


def mail(n: int, *, sender: str = "lan.nt@syt.hungyen.gov.vn", size: int = 0) -> bytes:
    """A small distinct message from `sender` (Vietnamese, UTF-8)."""
    padding = ("x" * 76 + "\r\n") * (size // 78)
    return (
        f"From: Lan <{sender}>\r\nTo: tinbai@stttt.hungyen.gov.vn\r\n"
        f"Subject: Tin so {n}\r\nMessage-ID: <m{n}-{uuid.uuid4().hex[:8]}@test.vn>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Nội dung tin số {n} về chính sách.\r\n{padding}"
    ).encode()


async def seed_officer(db: Database) -> None:
    """Sở Y tế with officer lan.nt@ and domain @skhcn (unit address)."""
    async with db.session() as session:
        unit, _ = await upsert_unit(
            session=session, code="syt", name="Sở Y tế", kind=UnitKind.DEPARTMENT
        )
        assert unit.id is not None
        await create_officer(
            session=session,
            unit_id=unit.id,
            full_name="Nguyễn Thị Lan",
            email="Lan.NT@syt.hungyen.gov.vn",
        )
        await upsert_unit(
            session=session,
            code="skhcn",
            name="Sở Khoa học và Công nghệ",
            kind=UnitKind.DEPARTMENT,
            addresses=["@skhcn.hungyen.gov.vn"],
        )
        await session.commit()


def sink(db: Database, files: FileStore, **policy: object) -> EmailIntake:
    """The real storage sink with test limits."""
    values: dict[str, object] = {"allowed_extensions": ALLOWED}
    values.update(policy)
    return EmailIntake(db=db, files=files, clock=SystemClock(), policy=IntakePolicy(**values))  # type: ignore[arg-type]


def new_mailbox(server: Dovecot, user: str = "alice") -> ImapConfig:
    """A fresh folder pair for one test, so tests sharing the server do not interfere."""
    tag = uuid.uuid4().hex[:8]
    config = ImapConfig(
        host=server.host,
        port=server.port,
        username=user,
        password=server.users[user],
        ssl=False,
        mailbox=f"in-{tag}",
        processed_folder=f"done-{tag}",
        batch_size=2,
        timeout=10,
    )
    with client(config) as imap:
        imap.create_folder(config.mailbox)
        imap.create_folder(config.processed_folder)
    return config


def client(config: ImapConfig) -> IMAPClient:
    """A logged-in IMAPClient for test set-up and checks."""
    imap = IMAPClient(config.host, port=config.port, ssl=False, timeout=10)
    imap.login(config.username, config.password)
    return imap


def append(config: ImapConfig, *messages: bytes) -> None:
    with client(config) as imap:
        for raw in messages:
            imap.append(config.mailbox, raw)


def count_in(config: ImapConfig, folder: str) -> int:
    with client(config) as imap:
        return int(imap.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


async def count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def submissions(db: Database) -> list[Submission]:
    async with db.session() as session:
        return list((await session.exec(select(Submission).order_by(Submission.id))).all())


async def outbox(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def processed(db: Database) -> list[ProcessedMail]:
    async with db.session() as session:
        return list((await session.exec(select(ProcessedMail).order_by(ProcessedMail.id))).all())


async def send_back(database: Database, sub: Submission) -> None:
    """An editor asks for changes (the officer's answer in the thread is the next version)."""
    async with database.session() as session:
        await transition(
            session=session,
            submission_id=sub.id or 0,
            expected_status="pending_review",
            expected_version=sub.version,
            new_status="changes_requested",
            actor="editor",
            reason="Bổ sung ảnh",
        )
        await session.commit()
