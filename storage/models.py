"""Every table Newsdesk remembers. Unique constraints carry the idempotency keys."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, String, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from domain.kinds import Channel, SubmissionKind, UnitKind, unit_order_key
from domain.mail import MailOutcome
from domain.states import OutboxStatus, SubmissionStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- registry -------------------------------------------------------------------------------


class UnitBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=255)
    kind: UnitKind = Field(default=UnitKind.OTHER, sa_type=String(20))
    counted: bool = Field(default=True, description="Counted for monthly compliance.")
    valid_from: date | None = None
    valid_to: date | None = Field(default=None, description="Last day the unit existed.")
    successor_code: str | None = Field(default=None, max_length=64)


class Unit(UnitBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(default="", max_length=255, index=True)
    # domain.kinds.unit_order_key(kind, name), kept by the listener below: lets SQL order and
    # page the units as the reports sort them.
    order_key: str = Field(default="", sa_column=Column(Text, nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


@event.listens_for(Unit, "before_insert")
@event.listens_for(Unit, "before_update")
def _unit_order_key(_mapper: Any, _connection: Any, unit: Unit) -> None:
    unit.order_key = unit_order_key(str(unit.kind), unit.name)


class UnitSuccessor(SQLModel, table=True):
    """One of the units that took over an ended unit (a district ends into its communes).

    `Unit.successor_code` names the one its records go to; this table lists them all.
    """

    __tablename__ = "unit_successor"
    __table_args__ = (UniqueConstraint("unit_id", "successor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    successor_id: int = Field(foreign_key="unit.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class UnitAddress(SQLModel, table=True):
    """A unit's known email address ("x@y.vn") or whole domain ("@y.vn"), lower case."""

    __tablename__ = "unit_address"
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    value: str = Field(max_length=255, unique=True)


class OfficerBase(SQLModel):
    full_name: str = Field(max_length=255)
    position: str = Field(default="", max_length=255)
    phone: str | None = Field(default=None, max_length=20, description="E.164")
    email: str | None = Field(default=None, max_length=255, index=True)


class Officer(OfficerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, index=True, nullable=True)
    )
    name_key: str = Field(default="", max_length=255)
    active_from: datetime = Field(default_factory=utcnow)
    active_to: datetime | None = None
    consent_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Editor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=255)
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class InviteCode(SQLModel, table=True):
    """Single-use, expiring code that lets a Telegram user register as a unit's officer."""

    __tablename__ = "invite_code"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by_telegram_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )


# --- submissions ----------------------------------------------------------------------------


class SubmissionBase(SQLModel):
    channel: Channel = Field(sa_type=String(16))
    kind: SubmissionKind = Field(default=SubmissionKind.OTHER, sa_type=String(16))
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Submission(SubmissionBase, table=True):
    """A communication product; `revision` counts content versions, `version` guards CAS."""

    # The board's counts per unit and month, and its totals, read this index alone.
    __table_args__ = (Index("ix_submission_period_unit_status", "period", "unit_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, description="Public code such as 2024-07-0012")
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    sender: str = Field(default="", max_length=255, description="Email address or tg:<user id>")
    sender_name: str = Field(default="", max_length=255)
    received_at: datetime = Field(index=True, description="First version's arrival (counts).")
    period: str = Field(max_length=7, index=True, description="YYYY-MM, local time")
    status: SubmissionStatus = Field(
        default=SubmissionStatus.RECEIVED, sa_type=String(24), index=True
    )
    version: int = Field(default=1, description="Compare-and-set counter")
    revision: int = Field(default=1, description="Content version number")
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reply_to_message_id: str | None = Field(
        default=None, max_length=998, description="Email Message-ID to thread replies to"
    )
    telegram_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    card_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    card_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    card_version: int | None = None
    publish_at: datetime | None = Field(default=None, description="Editor's slot; None = ASAP")
    cover_attachment_id: int | None = None
    decided_by: str | None = Field(default=None, max_length=255)
    decided_at: datetime | None = None
    decision_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow)


class SubmissionRevision(SQLModel, table=True):
    """Each received content version, kept for audit; `source_key` stops double intake."""

    __tablename__ = "submission_revision"
    __table_args__ = (UniqueConstraint("submission_id", "revision"),)
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    revision: int
    source_key: str = Field(max_length=255, unique=True)
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    raw_sha256: str | None = Field(default=None, max_length=64, description="Raw mail/update")
    received_at: datetime = Field(default_factory=utcnow)


class SubmissionSearch(SQLModel, table=True):
    """A submission's title and text folded for search (no diacritics, no case), so the desk's
    search is one SQL LIKE. Derived data: storage.search keeps it current, row by row, from
    the submission's `version` (every change of content moves it)."""

    __tablename__ = "submission_search"
    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    version: int
    revision: int
    folded: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Attachment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("submission_id", "revision", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    revision: int = 1
    position: int = 0
    sha256: str = Field(max_length=64, index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=255)
    size: int
    media: str = Field(default="other", max_length=16, description="image/video/document/other")
    caption: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    telegram_file_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who did what, when and why: every state change and every refused attempt."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=255)
    action: str = Field(max_length=64)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CodeCounter(SQLModel, table=True):
    """Per-month sequence behind public submission codes."""

    __tablename__ = "code_counter"
    period: str = Field(primary_key=True, max_length=7)
    last: int = 0


# --- side effects ---------------------------------------------------------------------------


class OutboxMessage(SQLModel, table=True):
    """An outbound message, stored before it is sent; `key` makes sending idempotent."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    channel: str = Field(max_length=16, description="email or telegram")
    recipient: str = Field(max_length=255)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    in_reply_to: str | None = Field(default=None, max_length=998)
    references: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attachments: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=16)  # OutboxStatus
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_until: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class Reminder(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("unit_id", "period", "step", "channel", "recipient"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period: str = Field(max_length=16)
    step: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    recipient: str = Field(max_length=255)
    outbox_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    created_at: datetime = Field(default_factory=utcnow)


class Publication(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("submission_id", "revision", "target"),)
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    revision: int = 1
    target: str = Field(default="zalo", max_length=32)
    status: str = Field(default="queued", max_length=24, index=True)
    version: int = 1
    dry_run: bool = False
    broadcast: bool = False
    due_at: datetime = Field(default_factory=utcnow)
    # Zalo article tokens are opaque and may run to several hundred characters.
    zalo_token: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    article_id: str | None = Field(default=None, max_length=255)
    url: str | None = Field(default=None, max_length=1024)
    broadcast_message_id: str | None = Field(default=None, max_length=255)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    # The instance (settings.instance_name) working on it right now; cleared when the worker
    # lets go, so a restarted instance finds what it was doing when it died.
    claimed_by: str | None = Field(default=None, max_length=255)


class Lease(SQLModel, table=True):
    """A lock that expires: one holder at a time for a named job (a mailbox, a drop folder).
    The holder renews it; a frozen or vanished holder loses it at `expires_at`."""

    name: str = Field(primary_key=True, max_length=255)
    holder: str = Field(max_length=255)
    expires_at: datetime
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessedMail(SQLModel, table=True):
    """One IMAP message we have handled (or failed to), so it is never handled twice."""

    __tablename__ = "processed_mail"
    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid"),
        Index("ix_processed_mail_identity", "message_id", "content_hash"),
    )
    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=255)
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))
    uid: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: str | None = Field(default=None, max_length=998)
    content_hash: str = Field(max_length=64)
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    outcome: MailOutcome = Field(sa_type=String(32), description="domain.mail.MailOutcome")
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    moved: bool = False
    processed_at: datetime = Field(default_factory=utcnow)


class TelegramUpdate(SQLModel, table=True):
    """Every Telegram update seen, raw, with what it produced: handled once."""

    __tablename__ = "telegram_update"
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    received_at: datetime = Field(default_factory=utcnow)
    kind: str = Field(default="", max_length=32)
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    outcome: str = Field(default="", max_length=64)
    # Set when a copy of the update starts being handled: a copy delivered again meanwhile
    # (a webhook retry) finds it claimed and stops. Released at start-up for the replay.
    claimed_at: datetime | None = None


class OnboardingWalk(SQLModel, table=True):
    """An invite registration in progress (name, position, phone, consent), one per Telegram
    user: kept here, beside the update that moved it, so a restart does not lose it."""

    __tablename__ = "onboarding_walk"
    telegram_user_id: int = Field(
        sa_column=Column(BigInteger, primary_key=True, autoincrement=False)
    )
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class ZaloToken(SQLModel, table=True):
    """The OA token pair (one row). The refresh token is single-use: rotate atomically."""

    __tablename__ = "zalo_token"
    id: int = Field(default=1, primary_key=True)
    access_token: str = Field(sa_column=Column(Text, nullable=False))
    refresh_token: str = Field(sa_column=Column(Text, nullable=False))
    access_expires_at: datetime
    refresh_issued_at: datetime
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Set (committed) before the refresh call and cleared with its outcome: still set long after
    # the call's timeout means the process died during it and the outcome is unknown.
    refresh_started_at: datetime | None = None
    # A refresh whose answer was lost: Zalo may have consumed the refresh token.
    refresh_unknown_at: datetime | None = None


class Installation(SQLModel, table=True):
    """This installation (one row): when it went live, recorded at the first start of `serve`.
    Months whose deadline came before it are "not tracked", never "missing"."""

    id: int = Field(default=1, primary_key=True)
    go_live_at: datetime
    created_at: datetime = Field(default_factory=utcnow)


class JobRun(SQLModel, table=True):
    """A scheduled job's run under a unique key (job + period/day), for exactly-once jobs."""

    __tablename__ = "job_run"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    outcome: str = Field(default="", max_length=64)  # for people: "queued 12", "offset 40"
    # A paged job's progress (the reach sync's cursor: items read so far), read back on resume.
    page_offset: int | None = None


# --- reach (what the Official Account achieved) ---------------------------------------------


class ArticleStat(SQLModel, table=True):
    """An article's running totals as Zalo reported them on one local day (the day's last read).

    Zalo's `article/getslice` gives only totals to date (`total_view`, `total_share`), so a row
    per article per day is what lets a month be told from the next.
    """

    __tablename__ = "article_stat"
    __table_args__ = (UniqueConstraint("article_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    article_id: str = Field(max_length=255, index=True)
    day: date = Field(index=True, description="Local day (Asia/Ho_Chi_Minh) of the reading.")
    views: int
    shares: int
    read_at: datetime = Field(default_factory=utcnow)


class OaStat(SQLModel, table=True):
    """The Official Account's follower count as read on one local day."""

    __tablename__ = "oa_stat"
    day: date = Field(primary_key=True, description="Local day (Asia/Ho_Chi_Minh).")
    followers: int
    read_at: datetime = Field(default_factory=utcnow)


# --- web console ----------------------------------------------------------------------------


class Leader(SQLModel, table=True):
    """A member of the Department's leadership: reads the console, receives the monthly report."""

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=255)
    position: str = Field(default="", max_length=255)
    email: str | None = Field(default=None, max_length=255)
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, index=True, nullable=True)
    )
    active_from: datetime = Field(default_factory=utcnow)
    active_to: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class WebLoginToken(SQLModel, table=True):
    """A one-time login link: only the SHA-256 of its random token is stored."""

    __tablename__ = "web_login_token"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16, description="editor, leader or admin")
    editor_id: int | None = Field(default=None, foreign_key="editor.id", index=True)
    leader_id: int | None = Field(default=None, foreign_key="leader.id", index=True)
    requested_via: str = Field(default="", max_length=64, description="cli or telegram")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    used_at: datetime | None = None
    used_from: str | None = Field(default=None, max_length=64)


class WebSession(SQLModel, table=True):
    """A browser session opened by a login link; the cookie holds the token, the row its hash."""

    __tablename__ = "web_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    editor_id: int | None = Field(default=None, foreign_key="editor.id", index=True)
    leader_id: int | None = Field(default=None, foreign_key="leader.id", index=True)
    display_name: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    client: str = Field(default="", max_length=64, description="Address the link was opened from")
