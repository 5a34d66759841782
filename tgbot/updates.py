"""The durable update log: each update_id recorded raw, with what it produced, handled once.

An update is written to ``telegram_update`` (outcome "") before any handler runs, and its
outcome (a `tgbot.outcomes.Outcome`) is set in the same transaction as its effects. A row still
without an outcome after a crash is replayed at start-up; a row with an outcome is never handled
again (webhook retries, double deliveries). Officers' drafts live here too: a message waiting to
be sent is a row whose outcome is ``outcomes.draft(user id)``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, cast, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.phones import PhoneError, normalise_phone
from storage.models import TelegramUpdate
from storage.rows import dialect_insert
from tgbot.callbacks import Action, is_review
from tgbot.outcomes import Kind, Outcome

ERASED_PHONE = "[số điện thoại đã xoá theo yêu cầu]"
MAX_UPDATE_ID = 2**63 - 1  # the column is a BIGINT


def valid_update_id(raw: object) -> int | None:
    """The update's id when it is a whole number the column holds (not a float, a bool, a
    string or 10^30); None otherwise: such an update is refused, never stored."""
    if not isinstance(raw, dict):
        return None
    value = raw.get("update_id")
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_UPDATE_ID else None


def kind_of(raw: dict[str, Any]) -> str:
    """The update's type: message, callback_query, edited_message..."""
    return next((k for k in raw if k != "update_id"), "unknown")[:32]


async def record(*, session: AsyncSession, raw: dict[str, Any]) -> TelegramUpdate:
    """Insert the raw update unless known; return the stored row (caller commits)."""
    insert = dialect_insert(session)
    stmt = (
        insert(TelegramUpdate)
        .values(update_id=raw["update_id"], kind=kind_of(raw), raw=raw, outcome="")
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    await session.exec(stmt)
    row = await session.get(TelegramUpdate, raw["update_id"], populate_existing=True)
    assert row is not None
    return row


async def record_failed(*, session: AsyncSession, raw: dict[str, Any], outcome: Outcome) -> None:
    """Keep an update that cannot be handled (raw, for audit) as finished with `outcome`;
    one already recorded keeps its row (caller commits)."""
    insert = dialect_insert(session)
    stmt = (
        insert(TelegramUpdate)
        .values(update_id=raw["update_id"], kind=kind_of(raw), raw=raw, outcome=outcome.encode())
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    await session.exec(stmt)


async def record_all(*, session: AsyncSession, raws: list[dict[str, Any]]) -> None:
    """Insert every raw update not yet known, in one statement (caller commits)."""
    rows = [
        {"update_id": raw["update_id"], "kind": kind_of(raw), "raw": raw, "outcome": ""}
        for raw in raws
    ]
    if not rows:
        return
    insert = dialect_insert(session)
    stmt = insert(TelegramUpdate).values(rows).on_conflict_do_nothing(index_elements=["update_id"])
    await session.exec(stmt)


async def record_outcome(*, session: AsyncSession, raw: dict[str, Any], outcome: Outcome) -> None:
    """Insert the raw update with its outcome, or set the outcome of a recorded one."""
    insert = dialect_insert(session)
    stmt = insert(TelegramUpdate).values(
        update_id=raw["update_id"], kind=kind_of(raw), raw=raw, outcome=outcome.encode()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["update_id"], set_={"outcome": stmt.excluded.outcome}
    )
    await session.exec(stmt)


async def record_new(*, session: AsyncSession, raw: dict[str, Any], outcome: Outcome) -> bool:
    """Record the update with its outcome; False if it was already finished (a duplicate).

    A row without an outcome (recorded on arrival by durable polling, the webhook, or a
    replay) is completed; that is the common case, tried first without re-sending the raw.
    """
    completed = await session.exec(
        update(TelegramUpdate)
        .where(col(TelegramUpdate.update_id) == raw["update_id"])
        .where(col(TelegramUpdate.outcome) == "")
        .values(outcome=outcome.encode())
    )
    if completed.rowcount == 1:
        return True
    insert = dialect_insert(session)
    stmt = insert(TelegramUpdate).values(
        update_id=raw["update_id"], kind=kind_of(raw), raw=raw, outcome=outcome.encode()
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=["update_id"],
        set_={"outcome": stmt.excluded.outcome},
        where=col(TelegramUpdate.outcome) == "",
    ).returning(col(TelegramUpdate.update_id))
    result = await session.exec(upsert)
    return result.first() is not None


def claimed_by_decision(raw_data: str | None) -> bool:
    """An approve press: its compare-and-set (with the update's outcome, in one transaction)
    is the claim, so the editors' hot path skips the separate one."""
    return is_review(raw_data, Action.APPROVE)


async def set_outcome(
    *, session: AsyncSession, update_id: int, outcome: Outcome, only_if_empty: bool = False
) -> None:
    """Record what the update produced (in the caller's transaction)."""
    stmt = update(TelegramUpdate).where(col(TelegramUpdate.update_id) == update_id)
    if only_if_empty:
        stmt = stmt.where(col(TelegramUpdate.outcome) == "")
    await session.exec(stmt.values(outcome=outcome.encode()))


async def set_outcomes(*, session: AsyncSession, update_ids: list[int], outcome: Outcome) -> None:
    """The same outcome for several updates (a sent or cancelled draft)."""
    await session.exec(
        update(TelegramUpdate)
        .where(col(TelegramUpdate.update_id).in_(update_ids))
        .values(outcome=outcome.encode())
    )


async def with_outcome(
    *,
    session: AsyncSession,
    outcomes: Sequence[Outcome] = (),
    kind: Kind | None = None,
    first_id: int | None = None,
) -> list[TelegramUpdate]:
    """Rows whose outcome is one of ``outcomes``, or of ``kind`` (whose first id is
    ``first_id``, when given), oldest first."""
    cond: Any = col(TelegramUpdate.outcome).in_([o.encode() for o in outcomes])
    if kind is not None:
        head = f"{kind.value}:" + ("" if first_id is None else f"{first_id}:")
        cond = cond | col(TelegramUpdate.outcome).startswith(head, autoescape=True)
        if first_id is not None:  # a kind with one id ("draft:<user>") ends there
            cond = cond | (col(TelegramUpdate.outcome) == f"{kind.value}:{first_id}")
    query = select(TelegramUpdate).where(cond).order_by(col(TelegramUpdate.update_id))
    return list((await session.exec(query)).all())


async def claim(*, session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Claim an unfinished update before acting on it: True for exactly one copy (a copy
    delivered again while the first is handled, or after it finished, gets False)."""
    result = await session.exec(
        update(TelegramUpdate)
        .where(col(TelegramUpdate.update_id) == update_id)
        .where(col(TelegramUpdate.outcome) == "")
        .where(col(TelegramUpdate.claimed_at).is_(None))
        .values(claimed_at=now)
    )
    return bool(result.rowcount == 1)


async def release_claims(*, session: AsyncSession) -> int:
    """At start-up: claims of unfinished updates belong to a process that died (one process
    runs the bot); release them so the replay handles those updates."""
    result = await session.exec(
        update(TelegramUpdate)
        .where(col(TelegramUpdate.outcome) == "")
        .where(col(TelegramUpdate.claimed_at).is_not(None))
        .values(claimed_at=None)
    )
    return int(result.rowcount or 0)


async def unfinished(*, session: AsyncSession, limit: int = 500) -> list[TelegramUpdate]:
    """Updates recorded but never finished (a crash mid-way): replayed at start-up."""
    query = (
        select(TelegramUpdate)
        .where(TelegramUpdate.outcome == "")
        .order_by(col(TelegramUpdate.update_id))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


def _is_phone(text: object, phone: str) -> bool:
    if not isinstance(text, str) or not text.strip():
        return False
    try:
        return normalise_phone(text) == phone
    except PhoneError:
        return False


async def forget_phone(*, session: AsyncSession, telegram_user_id: int, phone: str) -> int:
    """Take `phone` (E.164) out of the updates a user sent, after they declined to have it
    kept: a shared contact keeps its other fields, a typed number becomes a note. Returns
    how many stored updates changed (caller commits)."""
    # Telegram user ids outgrow 32 bits: read the id as text, compare it as a BIGINT.
    sender = cast(col(TelegramUpdate.raw)[("message", "from", "id")].as_string(), BigInteger)
    rows = (await session.exec(select(TelegramUpdate).where(sender == telegram_user_id))).all()
    changed = 0
    for row in rows:
        raw = copy.deepcopy(row.raw)
        message = raw.get("message") or {}
        contact = message.get("contact")
        touched = False
        if isinstance(contact, dict) and _is_phone(contact.get("phone_number"), phone):
            contact["phone_number"] = ""
            contact.pop("vcard", None)
            touched = True
        if _is_phone(message.get("text"), phone):
            message["text"] = ERASED_PHONE
            touched = True
        if touched:
            await session.exec(
                update(TelegramUpdate)
                .where(col(TelegramUpdate.update_id) == row.update_id)
                .values(raw=raw)
            )
            changed += 1
    return changed
