"""Outbox rows: enqueue under a unique key, claim due rows, record the outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.states import OutboxStatus
from storage.models import OutboxMessage, utcnow
from storage.rows import Rows, dialect_insert


class OutboxChannel(StrEnum):
    """The channels the outbox delivers on (one Sender each), stored as these strings."""

    EMAIL = "email"
    TELEGRAM = "telegram"


EMAIL = OutboxChannel.EMAIL
TELEGRAM = OutboxChannel.TELEGRAM
CLAIM_SECONDS = 300
MAX_ATTEMPTS = 12


async def enqueue(
    *,
    session: AsyncSession,
    key: str,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    html: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    meta: dict[str, Any] | None = None,
    submission_id: int | None = None,
    not_before: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Store an outbound message unless one with `key` exists (the first one stays).

    Attachments are dicts with `sha256`, `filename`, `content_type` (files in the FileStore).
    For Telegram, `meta` may carry `reply_markup` (a dict), `parse_mode`, `reply_to_message_id`.
    Pass `now=clock.now()` from services so a test clock and the worker agree on "due".
    """
    now = now or utcnow()
    values = {
        "key": key,
        "channel": _channel(channel),
        "recipient": str(recipient),
        "subject": subject,
        "body": body,
        "html": html,
        "in_reply_to": in_reply_to,
        "references": references,
        "attachments": attachments or [],
        "meta": meta or {},
        "submission_id": submission_id,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "result": {},
        "created_at": now,
    }
    insert = dialect_insert(session)
    stmt = insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
    await session.exec(stmt)


def _channel(channel: str) -> str:
    """The stored value of a channel; ValueError for one the outbox has no sender kind for."""
    try:
        return OutboxChannel(channel).value
    except ValueError:
        raise ValueError(f"unknown outbox channel {channel!r}") from None


async def claim_due(
    *, session: AsyncSession, now: datetime, limit: int = 20, channels: list[str] | None = None
) -> list[OutboxMessage]:
    """Claim due pending rows for this worker (SKIP LOCKED on PostgreSQL); caller commits."""
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.PENDING.value)
        .where(col(OutboxMessage.next_attempt_at) <= now)
        .where(
            or_(
                col(OutboxMessage.claimed_until).is_(None),
                col(OutboxMessage.claimed_until) < now,
            )
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if channels:
        query = query.where(col(OutboxMessage.channel).in_(channels))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.exec(query)).all())
    until = now + timedelta(seconds=CLAIM_SECONDS)
    claimed = []
    for row in rows:
        # Conditional claim: SQLite reads outside a transaction, so two workers can select
        # the same row; only the one whose UPDATE still matches owns it.
        result = await session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row.id)
            .where(col(OutboxMessage.status) == OutboxStatus.PENDING.value)
            .where(
                or_(
                    col(OutboxMessage.claimed_until).is_(None),
                    col(OutboxMessage.claimed_until) < now,
                )
            )
            .values(claimed_until=until)
        )
        if result.rowcount == 1:
            row.claimed_until = until
            claimed.append(row)
    return claimed


async def mark_sent(
    *, session: AsyncSession, message_id: int, now: datetime, result: dict[str, Any]
) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(
            status=OutboxStatus.SENT.value,
            sent_at=now,
            result=result,
            claimed_until=None,
            last_error=None,
        )
    )


async def mark_failed(
    *,
    session: AsyncSession,
    message: OutboxMessage,
    now: datetime,
    error: str,
    retry_after: float | None,
    permanent: bool,
) -> None:
    """Record a failed attempt: retry later with backoff, or give up for good."""
    attempts = message.attempts + 1
    give_up = permanent or attempts >= MAX_ATTEMPTS
    delay = retry_after if retry_after is not None else min(5 * 2 ** (attempts - 1), 3600)
    await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id)
        .values(
            status=(OutboxStatus.FAILED if give_up else OutboxStatus.PENDING).value,
            attempts=attempts,
            last_error=error[:2000],
            claimed_until=None,
            next_attempt_at=now + timedelta(seconds=delay),
        )
    )


def outbox_rows(messages: list[dict[str, Any]], *, now: datetime | None = None) -> Rows:
    """`enqueue` for many messages, as rows for storage.rows.insert_all() (a batch inserts
    them with its other rows in one statement). Each dict takes enqueue's keyword arguments
    (key, channel, recipient, body, ...); the first message of a key wins, and keys already
    stored are left alone."""
    now = now or utcnow()
    rows = []
    for message in messages:
        rows.append(
            {
                "key": message["key"],
                "channel": _channel(message["channel"]),
                "recipient": str(message["recipient"]),
                "subject": message.get("subject", ""),
                "body": message["body"],
                "html": message.get("html"),
                "in_reply_to": message.get("in_reply_to"),
                "references": message.get("references"),
                "attachments": message.get("attachments") or [],
                "meta": message.get("meta") or {},
                "submission_id": message.get("submission_id"),
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": message.get("not_before") or now,
                "result": {},
                "created_at": now,
            }
        )
    rows = list({row["key"]: row for row in reversed(rows)}.values())[::-1]  # first wins
    return Rows(OutboxMessage, rows, keep_existing=("key",))
