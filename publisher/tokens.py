"""The OA token pair in the database: rotated atomically, refreshed early, one refresher.

The refresh token is single-use. A refresh runs inside one transaction that first takes the
write lock on the token row (UPDATE on both SQLite and PostgreSQL, so another process waits),
calls Zalo, and commits the rotated pair before the new access token is handed to anyone.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.clock import Clock
from domain.periods import to_local
from publisher import texts
from publisher.notify import notify_editors
from publisher.zalo.errors import ZaloOAuthError
from publisher.zalo.oauth import TokenPair, refresh_tokens
from settings import Settings
from storage.db import Database
from storage.models import ZaloToken

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(hours=5)
REFRESH_TOKEN_LIFETIME = timedelta(days=90)
AGEING_ALERT_AFTER = timedelta(days=80)


@dataclass(frozen=True)
class TokenStatus:
    """What `zalo status` shows (never the tokens themselves)."""

    present: bool
    access_expires_at: datetime | None = None
    refresh_issued_at: datetime | None = None
    refresh_expires_about: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    last_error: str | None = None


def refresh_due(row: ZaloToken, now: datetime) -> bool:
    """Refresh well before expiry: 5 h ahead, or a fifth of a shorter lifetime."""
    lifetime = row.access_expires_at - row.updated_at
    margin = min(REFRESH_MARGIN, max(lifetime / 5, timedelta(minutes=1)))
    return now >= row.access_expires_at - margin


class TokenKeeper:
    """Hands out the current access token and owns the refresh."""

    def __init__(
        self, db: Database, http: httpx.AsyncClient, settings: Settings, *, clock: Clock
    ) -> None:
        self.db = db
        self.http = http
        self.settings = settings
        self.clock = clock
        self._lock = asyncio.Lock()

    async def _load(self, session: AsyncSession) -> ZaloToken | None:
        return (await session.exec(select(ZaloToken).where(ZaloToken.id == 1))).first()

    async def access_token(self) -> str:
        """The access token to use now; refreshes first when it is due."""
        async with self.db.session() as session:
            row = await self._load(session)
        if row is None:
            await self._not_logged_in()
            raise ZaloOAuthError(None, "no Zalo token stored: run `zalo login`", operation="token")
        if not refresh_due(row, self.clock.now()):
            return row.access_token
        return await self.refresh(only_if_due=True)

    async def _not_logged_in(self) -> None:
        now = self.clock.now()
        async with self.db.session() as session:
            await notify_editors(
                session=session,
                settings=self.settings,
                key=f"zalo:not-logged-in:{to_local(now).date().isoformat()}",
                text=texts.TOKEN_MISSING,
                subject=texts.TOKEN_ALERT_SUBJECT,
                now=now,
            )
            await session.commit()

    async def on_rejected(self, token: str) -> None:
        """Zalo refused `token` (-216/-220): refresh unless someone already rotated it."""
        await self.refresh(only_if_token=token)

    async def refresh(self, *, only_if_due: bool = False, only_if_token: str | None = None) -> str:
        """Consume the refresh token and commit the rotated pair in the same transaction."""
        async with self._lock, self.db.session() as session:
            # Taking the row's write lock first makes every other refresher wait here.
            await session.exec(
                update(ZaloToken).where(col(ZaloToken.id) == 1).values(version=ZaloToken.version)
            )
            row = await self._load(session)
            if row is None:
                raise ZaloOAuthError(None, "no Zalo token stored", operation="refresh")
            now = self.clock.now()
            if only_if_due and not refresh_due(row, now):
                return row.access_token
            if only_if_token is not None and row.access_token != only_if_token:
                return row.access_token
            pair = await self._call_refresh(session, row, now)
            row.access_token = pair.access_token
            row.refresh_token = pair.refresh_token
            row.access_expires_at = now + timedelta(seconds=pair.expires_in)
            row.updated_at = now
            row.version += 1
            row.last_error = None
            session.add(row)
            await session.commit()
            log.info("zalo token rotated (version %s)", row.version)
            return pair.access_token

    async def _call_refresh(
        self, session: AsyncSession, row: ZaloToken, now: datetime
    ) -> TokenPair:
        zalo = self.settings.zalo
        try:
            return await refresh_tokens(
                self.http,
                oauth_base=zalo.oauth_base,
                app_id=zalo.app_id,
                app_secret=zalo.app_secret.get_secret_value(),
                refresh_token=row.refresh_token,
            )
        except ZaloOAuthError as exc:
            row.last_error = f"{exc.code} {exc.error_name or exc.message}"
            session.add(row)
            await notify_editors(
                session=session,
                settings=self.settings,
                key=f"zalo:refresh-failed:{row.version}",
                text=texts.TOKEN_REFRESH_FAILED.format(reason=row.last_error),
                subject=texts.TOKEN_ALERT_SUBJECT,
                now=now,
            )
            await session.commit()
            raise

    async def store_login(self, pair: TokenPair) -> None:
        """Save the pair from a consent (replaces any old pair; the 3-month count restarts)."""
        now = self.clock.now()
        async with self._lock, self.db.session() as session:
            row = await self._load(session)
            if row is None:
                row = ZaloToken(
                    id=1,
                    access_token=pair.access_token,
                    refresh_token=pair.refresh_token,
                    access_expires_at=now + timedelta(seconds=pair.expires_in),
                    refresh_issued_at=now,
                    updated_at=now,
                )
            else:
                row.access_token, row.refresh_token = pair.access_token, pair.refresh_token
                row.access_expires_at = now + timedelta(seconds=pair.expires_in)
                row.refresh_issued_at = row.updated_at = now
                row.version += 1
                row.last_error = None
            session.add(row)
            await session.commit()

    async def maintain(self) -> None:
        """Refresh when due and warn editors as the refresh token nears its 3-month age."""
        async with self.db.session() as session:
            row = await self._load(session)
        if row is None:
            return
        now = self.clock.now()
        if refresh_due(row, now):
            await self.refresh(only_if_due=True)
        if now - row.refresh_issued_at >= AGEING_ALERT_AFTER:
            await self._ageing_alert(row, now)

    async def _ageing_alert(self, row: ZaloToken, now: datetime) -> None:
        expires = to_local(row.refresh_issued_at + REFRESH_TOKEN_LIFETIME)
        text = texts.TOKEN_AGEING.format(
            days=(now - row.refresh_issued_at).days, expires=expires.strftime("%d/%m/%Y")
        )
        async with self.db.session() as session:
            await notify_editors(
                session=session,
                settings=self.settings,
                key=f"zalo:token-ageing:{to_local(now).date().isoformat()}",
                text=text,
                subject=texts.TOKEN_ALERT_SUBJECT,
                now=now,
            )
            await session.commit()

    async def status(self) -> TokenStatus:
        """Ages and expiries for the operator."""
        async with self.db.session() as session:
            row = await self._load(session)
        if row is None:
            return TokenStatus(present=False)
        return TokenStatus(
            present=True,
            access_expires_at=row.access_expires_at,
            refresh_issued_at=row.refresh_issued_at,
            refresh_expires_about=row.refresh_issued_at + REFRESH_TOKEN_LIFETIME,
            updated_at=row.updated_at,
            version=row.version,
            last_error=row.last_error,
        )
