"""The OA token pair in the database: rotated atomically, refreshed early, one refresher.

The refresh token is single-use, and a refresh whose answer is lost (a timeout after Zalo
rotated the pair, or a process killed during the call) strands it: the stored token is dead and
only `zalo login` helps. That cannot be reconciled with Zalo, so the keeper makes it rare and
loud:

- the worker refreshes 5 hours before expiry between publishing passes (`maintain()`), never
  inside a burst; a call for a token refreshes by itself only in its last 10 minutes;
- the refresh call alone gets a long timeout (`ZALO__REFRESH_TIMEOUT_SECONDS`);
- "refresh in flight" is committed before the call (`refresh_started_at`) and no transaction
  is held across it, so intake's writes never wait for Zalo; another refresher sees the mark
  and waits for the outcome;
- a lost answer, or a mark left by a process that died during the call, sets
  `refresh_unknown_at` and alerts the editors at once with the login link; publications wait
  in their queue (auth errors are waits, never failures). The next maintenance tries the stored
  token once more: Zalo either accepts it (it never saw the lost call) or refuses it (alerted
  again, for a person to log in).
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
from domain.redact import remember_secret
from outbox.notify import notify_editors
from publisher import texts
from publisher.login_link import login_hint
from publisher.zalo.errors import (
    ZaloError,
    ZaloOAuthError,
    ZaloOutcomeUnknown,
    ZaloTransientError,
)
from publisher.zalo.oauth import TokenPair, refresh_tokens
from settings import Settings
from storage.db import Database
from storage.models import ZaloToken

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(hours=5)
URGENT_MARGIN = timedelta(minutes=10)
STALE_GRACE = timedelta(seconds=60)
BUSY_POLL_SECONDS = 0.2
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
    refresh_started_at: datetime | None = None
    refresh_unknown_at: datetime | None = None


def refresh_due(row: ZaloToken, now: datetime) -> bool:
    """Refresh well before expiry: 5 h ahead, or a fifth of a shorter lifetime."""
    lifetime = row.access_expires_at - row.updated_at
    margin = min(REFRESH_MARGIN, max(lifetime / 5, timedelta(minutes=1)))
    return now >= row.access_expires_at - margin


def refresh_urgent(row: ZaloToken, now: datetime) -> bool:
    """The access token's last minutes: refresh even in the middle of publishing."""
    return now >= row.access_expires_at - URGENT_MARGIN


@dataclass(frozen=True)
class _Busy:
    """Another process has a refresh in flight; the access token stored meanwhile."""

    access_token: str


@dataclass(frozen=True)
class _Claim:
    """A refresh this keeper may make: the row's version and its refresh token."""

    version: int
    refresh_token: str
    started_at: datetime


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

    @property
    def stale_after(self) -> timedelta:
        """A refresh mark older than this was left by a process that died during the call."""
        return timedelta(seconds=self.settings.zalo.refresh_timeout_seconds) + STALE_GRACE

    async def _load(self, session: AsyncSession) -> ZaloToken | None:
        row = (await session.exec(select(ZaloToken).where(ZaloToken.id == 1))).first()
        if row is not None:
            remember_secret(row.access_token, row.refresh_token)  # never in a log line
        return row

    async def access_token(self) -> str:
        """The access token to use now; refreshes first only in its last minutes."""
        async with self.db.session() as session:
            row = await self._load(session)
        if row is None:
            await self._not_logged_in()
            raise ZaloOAuthError(None, "no Zalo token stored: run `zalo login`", operation="token")
        now = self.clock.now()
        if not refresh_urgent(row, now):
            return row.access_token
        try:
            return await self.refresh(only_if_urgent=True)
        except ZaloError:
            if now < row.access_expires_at:
                return row.access_token  # still valid: use it, the keeper has alerted
            raise

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

    async def refresh(
        self,
        *,
        only_if_due: bool = False,
        only_if_urgent: bool = False,
        only_if_token: str | None = None,
        wait: bool = True,
    ) -> str:
        """Consume the refresh token and commit the rotated pair (no transaction held across
        the call). Raises ZaloOAuthError when Zalo refused or the outcome is unknown.

        While another process has a refresh in flight, wait for its outcome (or, with
        `wait=False`, return the stored token at once)."""
        async with self._lock:
            deadline = asyncio.get_running_loop().time() + self.stale_after.total_seconds()
            while True:
                claim = await self._claim(
                    only_if_due=only_if_due,
                    only_if_urgent=only_if_urgent,
                    only_if_token=only_if_token,
                )
                if not isinstance(claim, _Busy):
                    break
                if not wait:
                    return claim.access_token
                if asyncio.get_running_loop().time() > deadline:
                    raise ZaloTransientError(None, "refresh in progress", operation="refresh")
                await asyncio.sleep(BUSY_POLL_SECONDS)  # another process is refreshing
            if isinstance(claim, str):
                return claim
            zalo = self.settings.zalo
            try:
                pair = await refresh_tokens(
                    self.http,
                    oauth_base=zalo.oauth_base,
                    app_id=zalo.app_id,
                    app_secret=zalo.app_secret.get_secret_value(),
                    refresh_token=claim.refresh_token,
                    timeout_seconds=zalo.refresh_timeout_seconds,
                )
            except ZaloOAuthError as exc:
                await self._settle_failed(claim, f"{exc.code} {exc.error_name or exc.message}")
                raise
            except ZaloOutcomeUnknown as exc:
                await self._settle_unknown(claim.version, exc.message)
                raise ZaloOAuthError(
                    None, f"refresh outcome unknown ({exc.message})", operation="refresh"
                ) from None
            except ZaloTransientError:
                await self._release(claim)  # the request never left: nothing consumed
                raise
            remember_secret(pair.access_token, pair.refresh_token)
            return await self._store(claim, pair)

    async def _claim(
        self, *, only_if_due: bool, only_if_urgent: bool, only_if_token: str | None
    ) -> _Claim | str | _Busy:
        """Mark the refresh in flight and commit; or the token to use, or busy elsewhere."""
        async with self.db.session() as session:
            # The row's write lock (held for this short transaction only) orders the claimers.
            await session.exec(
                update(ZaloToken).where(col(ZaloToken.id) == 1).values(version=ZaloToken.version)
            )
            row = await self._load(session)
            if row is None:
                raise ZaloOAuthError(None, "no Zalo token stored", operation="refresh")
            now = self.clock.now()
            if row.refresh_started_at is not None:
                if now - row.refresh_started_at < self.stale_after:
                    return _Busy(row.access_token)
                await self._mark_unknown(session, row, "the process died during the call")
                await session.commit()
                return row.access_token  # the next maintenance tries the stored token again
            if only_if_due and not refresh_due(row, now):
                return row.access_token
            if only_if_urgent and not refresh_urgent(row, now):
                return row.access_token
            if only_if_token is not None and row.access_token != only_if_token:
                return row.access_token
            row.refresh_started_at = now
            session.add(row)
            claim = _Claim(row.version, row.refresh_token, now)
            await session.commit()
            return claim

    async def _store(self, claim: _Claim, pair: TokenPair) -> str:
        """Commit the rotated pair unless a login replaced the row meanwhile."""
        async with self.db.session() as session:
            row = await self._load(session)
            if row is None or row.version != claim.version:
                log.warning("zalo token replaced during the refresh; keeping the stored one")
                return row.access_token if row is not None else pair.access_token
            row.access_token = pair.access_token
            row.refresh_token = pair.refresh_token
            row.access_expires_at = claim.started_at + timedelta(seconds=pair.expires_in)
            row.updated_at = claim.started_at
            row.version += 1
            row.last_error = None
            row.refresh_started_at = row.refresh_unknown_at = None
            session.add(row)
            await session.commit()
            log.info("zalo token rotated (version %s)", row.version)
            return pair.access_token

    async def _release(self, claim: _Claim) -> None:
        async with self.db.session() as session:
            row = await self._load(session)
            if row is not None and row.version == claim.version:
                row.refresh_started_at = None
                session.add(row)
                await session.commit()

    async def _settle_failed(self, claim: _Claim, reason: str) -> None:
        """Zalo refused the refresh token: store why and alert once per stored pair."""
        now = self.clock.now()
        async with self.db.session() as session:
            row = await self._load(session)
            if row is None or row.version != claim.version:
                return
            row.refresh_started_at = None
            row.last_error = reason
            session.add(row)
            await notify_editors(
                session=session,
                settings=self.settings,
                key=f"zalo:refresh-failed:{row.version}",
                text=texts.TOKEN_REFRESH_FAILED.format(
                    reason=reason, login=login_hint(self.settings, now)
                ),
                subject=texts.TOKEN_ALERT_SUBJECT,
                now=now,
            )
            await session.commit()

    async def _settle_unknown(self, version: int, reason: str) -> None:
        async with self.db.session() as session:
            row = await self._load(session)
            if row is None or row.version != version:
                return
            await self._mark_unknown(session, row, reason)
            await session.commit()

    async def _mark_unknown(self, session: AsyncSession, row: ZaloToken, reason: str) -> None:
        """The refresh's answer is lost: record it and alert the editors at once."""
        now = self.clock.now()
        log.error("zalo token refresh outcome unknown (%s): editors alerted", reason)
        row.refresh_started_at = None
        row.refresh_unknown_at = row.refresh_unknown_at or now
        row.last_error = f"refresh outcome unknown ({reason})"
        session.add(row)
        await notify_editors(
            session=session,
            settings=self.settings,
            key=f"zalo:refresh-unknown:{row.version}",
            text=texts.TOKEN_REFRESH_UNKNOWN.format(
                reason=reason, login=login_hint(self.settings, now)
            ),
            subject=texts.TOKEN_ALERT_SUBJECT,
            now=now,
        )

    async def store_login(self, pair: TokenPair) -> None:
        """Save the pair from a consent (replaces any old pair; the 3-month count restarts)."""
        remember_secret(pair.access_token, pair.refresh_token)
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
                row.refresh_started_at = row.refresh_unknown_at = None
            session.add(row)
            await session.commit()

    async def maintain(self) -> None:
        """Refresh when due and warn editors as the refresh token nears its 3-month age."""
        async with self.db.session() as session:
            row = await self._load(session)
        if row is None:
            return
        now = self.clock.now()
        stale = row.refresh_started_at and now - row.refresh_started_at >= self.stale_after
        if refresh_due(row, now) or stale:
            await self.refresh(only_if_due=True, wait=False)
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
            refresh_started_at=row.refresh_started_at,
            refresh_unknown_at=row.refresh_unknown_at,
        )
