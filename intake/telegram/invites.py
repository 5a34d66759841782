"""Unit invite codes: single use, expiring; how a unit designates its officer on Telegram."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InviteCode

# No 0/O/1/I/L: codes get read aloud and typed from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def new_code() -> str:
    """A random invite code, e.g. ``K7QX3M9PRT``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


async def create_invite(
    *, session: AsyncSession, unit_id: int, now: datetime, valid_days: int
) -> InviteCode:
    """Store a new code for ``unit_id`` valid for ``valid_days`` (caller commits)."""
    invite = InviteCode(
        code=new_code(),
        unit_id=unit_id,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    session.add(invite)
    await session.flush()
    return invite


async def find_valid_invite(
    *, session: AsyncSession, code: str, now: datetime
) -> InviteCode | None:
    """The unused, unexpired invite with this code (case and spaces forgiven)."""
    wanted = "".join(code.split()).upper()
    result = await session.exec(select(InviteCode).where(InviteCode.code == wanted))
    invite = result.first()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return None
    return invite


async def use_invite(
    *, session: AsyncSession, invite_id: int, telegram_user_id: int, now: datetime
) -> bool:
    """Mark the invite used, once: False if somebody used it first (compare-and-set)."""
    result = await session.exec(
        update(InviteCode)
        .where(col(InviteCode.id) == invite_id)
        .where(col(InviteCode.used_at).is_(None))
        .where(col(InviteCode.expires_at) > now)
        .values(used_at=now, used_by_telegram_id=telegram_user_id)
    )
    return bool(result.rowcount == 1)


def invite_link(bot_username: str, code: str) -> str:
    """The t.me deep link that opens the bot with ``/start <code>``."""
    return f"https://t.me/{bot_username}?start={code}" if bot_username else f"/start {code}"
