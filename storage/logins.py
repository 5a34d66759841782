"""Passwordless login: one-time links, browser sessions, roles.

A link carries 32 random bytes; only their SHA-256 is stored. Redeeming it is one guarded
UPDATE (unused and unexpired), so two clicks open at most one session. A session cookie holds
another random token, stored hashed too. The bot (/dangnhap), the CLI (`web login-link`) and the
pages all use this module; nothing here knows about HTTP.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import NewsdeskError
from storage.leaders import get_active_leader
from storage.models import Editor, WebLoginToken, WebSession

LINK_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
LINKS_PER_HOUR = 5  # per person, whoever asks (bot or CLI)
LOGIN_PATH = "/dang-nhap/"


class Role(StrEnum):
    LEADER = "leader"
    EDITOR = "editor"
    ADMIN = "admin"


ROLE_LABELS = {Role.LEADER: "Lãnh đạo", Role.EDITOR: "Biên tập viên", Role.ADMIN: "Quản trị"}
# What each role may also do: an admin is an editor, an editor reads what a leader reads.
GRANTS: dict[Role, frozenset[Role]] = {
    Role.LEADER: frozenset({Role.LEADER}),
    Role.EDITOR: frozenset({Role.LEADER, Role.EDITOR}),
    Role.ADMIN: frozenset({Role.LEADER, Role.EDITOR, Role.ADMIN}),
}


class LoginRefusedError(NewsdeskError):
    """A link that cannot be issued or used; ``message`` is for the person (Vietnamese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_FOUND_EDITOR = "Không có biên tập viên đang hoạt động với mã #{id}."
NOT_FOUND_LEADER = "Không có lãnh đạo đang đương nhiệm với mã #{id}."
TOO_MANY = "Đã cấp {n} liên kết đăng nhập trong một giờ qua; vui lòng thử lại sau."
LINK_INVALID = "Liên kết đăng nhập không hợp lệ hoặc đã được dùng. Hãy xin liên kết mới."
LINK_EXPIRED = "Liên kết đăng nhập đã hết hạn (hiệu lực 15 phút). Hãy xin liên kết mới."
PERSON_GONE = "Tài khoản này không còn hoạt động."


@dataclass(frozen=True)
class Identity:
    """Who a session belongs to."""

    session_id: int
    role: Role
    name: str
    editor_id: int | None
    leader_id: int | None
    expires_at: datetime

    def may(self, role: Role) -> bool:
        return role in GRANTS[self.role]

    @property
    def actor(self) -> str:
        """The audit trail's actor string."""
        if self.editor_id is not None:
            return f"web:editor:{self.editor_id}"
        return f"web:leader:{self.leader_id}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login_url(public_base_url: str, token: str) -> str:
    """The link to send; a path alone when no public URL is configured."""
    return public_base_url.rstrip("/") + LOGIN_PATH + token


async def _person(
    session: AsyncSession,
    *,
    role: Role,
    editor_id: int | None,
    leader_id: int | None,
    now: datetime,
) -> str:
    """The person's display name; refuses unknown or inactive people."""
    if role is Role.LEADER:
        leader = await get_active_leader(session=session, leader_id=leader_id or 0, at=now)
        if leader is None:
            raise LoginRefusedError(NOT_FOUND_LEADER.format(id=leader_id))
        return leader.full_name
    editor = await session.get(Editor, editor_id or 0)
    if editor is None or not editor.active:
        raise LoginRefusedError(NOT_FOUND_EDITOR.format(id=editor_id))
    return editor.full_name


async def issue_link(
    *,
    session: AsyncSession,
    role: Role,
    now: datetime,
    via: str,
    editor_id: int | None = None,
    leader_id: int | None = None,
) -> str:
    """A new one-time token for an editor (or admin) or a leader; the caller commits."""
    if (role is Role.LEADER) == (leader_id is None) or (role is not Role.LEADER) == (
        editor_id is None
    ):
        raise ValueError("a leader link needs leader_id, an editor/admin link editor_id")
    await _person(session, role=role, editor_id=editor_id, leader_id=leader_id, now=now)
    person = (
        col(WebLoginToken.leader_id) == leader_id
        if role is Role.LEADER
        else col(WebLoginToken.editor_id) == editor_id
    )
    recent = await session.exec(
        select(func.count())
        .select_from(WebLoginToken)
        .where(person)
        .where(col(WebLoginToken.created_at) > now - timedelta(hours=1))
    )
    if int(recent.one()) >= LINKS_PER_HOUR:
        raise LoginRefusedError(TOO_MANY.format(n=LINKS_PER_HOUR))
    token = secrets.token_urlsafe(32)
    session.add(
        WebLoginToken(
            token_hash=hash_token(token),
            role=role.value,
            editor_id=editor_id,
            leader_id=leader_id,
            requested_via=via[:64],
            created_at=now,
            expires_at=now + LINK_TTL,
        )
    )
    await session.flush()
    return token


async def redeem_link(
    *, session: AsyncSession, token: str, now: datetime, client: str
) -> tuple[str, Identity]:
    """Use a link once: a new session token and its identity; the caller commits."""
    digest = hash_token(token)
    result = await session.exec(
        update(WebLoginToken)
        .where(col(WebLoginToken.token_hash) == digest)
        .where(col(WebLoginToken.used_at).is_(None))
        .where(col(WebLoginToken.expires_at) > now)
        .values(used_at=now, used_from=client[:64])
    )
    row = (
        await session.exec(select(WebLoginToken).where(col(WebLoginToken.token_hash) == digest))
    ).first()
    if result.rowcount != 1 or row is None:
        expired = row is not None and row.used_at is None
        raise LoginRefusedError(LINK_EXPIRED if expired else LINK_INVALID)
    role = Role(row.role)
    try:
        name = await _person(
            session, role=role, editor_id=row.editor_id, leader_id=row.leader_id, now=now
        )
    except LoginRefusedError:
        raise LoginRefusedError(PERSON_GONE) from None
    session_token = secrets.token_urlsafe(32)
    record = WebSession(
        token_hash=hash_token(session_token),
        role=role.value,
        editor_id=row.editor_id,
        leader_id=row.leader_id,
        display_name=name,
        created_at=now,
        expires_at=now + SESSION_TTL,
        client=client[:64],
    )
    session.add(record)
    await session.flush()
    return session_token, _identity(record)


def _identity(record: WebSession) -> Identity:
    assert record.id is not None
    return Identity(
        session_id=record.id,
        role=Role(record.role),
        name=record.display_name,
        editor_id=record.editor_id,
        leader_id=record.leader_id,
        expires_at=record.expires_at,
    )


async def identify(*, session: AsyncSession, token: str, now: datetime) -> Identity | None:
    """The identity behind a session cookie, or None (unknown, expired or revoked)."""
    if not token or len(token) > 128:
        return None
    record = (
        await session.exec(
            select(WebSession)
            .where(col(WebSession.token_hash) == hash_token(token))
            .where(col(WebSession.revoked_at).is_(None))
            .where(col(WebSession.expires_at) > now)
        )
    ).first()
    return _identity(record) if record is not None else None


async def list_sessions(*, session: AsyncSession, now: datetime) -> list[WebSession]:
    """Sessions still open, newest first."""
    query = (
        select(WebSession)
        .where(col(WebSession.revoked_at).is_(None))
        .where(col(WebSession.expires_at) > now)
        .order_by(col(WebSession.id).desc())
    )
    return list((await session.exec(query)).all())


async def revoke_session(*, session: AsyncSession, session_id: int, now: datetime) -> bool:
    """End a session at once (logout, or an admin's `web sessions revoke`)."""
    result = await session.exec(
        update(WebSession)
        .where(col(WebSession.id) == session_id)
        .where(col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount == 1)
