"""The daily reach sync: each article Newsdesk published, its views and shares; the followers.

Where the figures come from (Zalo's public OA API documentation):

- views and shares: `GET /v2.0/article/getslice` (two public sources), whose items carry
  `total_view` and `total_share`, totals to date. `getdetail` documents no such fields, so the
  sync pages through the OA's list, newest first, and keeps the items that are Newsdesk's
  articles. It stops as soon as every tracked article has been seen (usually long before the
  end of the list) and reads the `video` list only when articles remain unseen.
- followers: `total` of `GET /v3.0/oa/user/getlist` with `is_follower: true` (two sources),
  one call asking for one user. `oa/getoa` documents no follower field in our sources.

One row per article per local day and one per OA per day (upserts, so a rerun the same day
neither duplicates nor invents). Each page's rows and the cursor (offset reached) commit
together, so after a crash the next run resumes at that page. Calls go through their own
per-minute budget; when it (or Zalo's -32) says stop, the sync waits for the next minute.
Without credentials nothing is read and nothing is written: reports then show "—".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import TypeVar

import httpx

from domain.clock import Clock, SystemClock
from domain.periods import to_local
from publisher.deps import make_client
from publisher.tokens import TokenKeeper
from publisher.zalo.client import ZaloClient
from publisher.zalo.errors import ZaloRateLimited
from settings import Settings
from storage.db import Database
from storage.reach import (
    Reading,
    followers_on,
    forget_cursors,
    get_cursor,
    read_on,
    save_followers,
    save_readings,
    set_cursor,
    tracked_articles,
)

log = logging.getLogger(__name__)
KINDS = ("normal", "video")  # getslice lists one article type at a time
MAX_WAITS = 30  # consecutive minute waits before giving up until the next run
Wait = Callable[[], Awaitable[None]]
T = TypeVar("T")


@dataclass(frozen=True)
class SyncOptions:
    page_size: int = 10
    track_days: int = 365
    force: bool = False  # read again even if today's sync already finished


@dataclass
class SyncResult:
    """What one run did (the CLI prints it, the scheduler logs it)."""

    day: date
    dry_run: bool = False
    already_done: bool = False
    tracked: int = 0
    stored: int = 0  # article readings written by this run
    unseen: int = 0  # tracked articles not in the OA's lists (removed on Zalo?)
    followers: int | None = None
    calls: int = 0
    waits: int = 0


def stats_client(
    settings: Settings, http: httpx.AsyncClient, db: Database, clock: Clock
) -> ZaloClient | None:
    """A client with the sync's own per-minute budget; None without credentials (dry run)."""
    if not settings.zalo.enabled:
        return None
    keeper = TokenKeeper(db, http, settings, clock=clock)
    return make_client(
        settings, http, keeper, clock, per_minute=settings.zalo.stats_calls_per_minute
    )


async def wait_next_minute(clock: Clock) -> None:
    """Sleep until the next clock minute (Zalo counts calls per minute)."""
    now = clock.now()
    await asyncio.sleep(60 - now.second - now.microsecond / 1e6 + 0.05)


class _Sync:
    def __init__(self, db: Database, client: ZaloClient, now: datetime, wait: Wait) -> None:
        self.db, self.client, self.now, self.wait = db, client, now, wait
        self.day = to_local(now).date()
        self.result = SyncResult(day=self.day)

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        """One Zalo call, waiting for the next minute when the budget or Zalo says so."""
        waits = 0
        while True:
            self.result.calls += 1
            try:
                return await call()
            except ZaloRateLimited as exc:
                if exc.code is None:  # refused by our own budget: nothing reached Zalo
                    self.result.calls -= 1
                if waits >= MAX_WAITS:
                    raise
                waits += 1
                self.result.waits += 1
                await self.wait()

    async def articles(self, wanted: set[str], page_size: int) -> None:
        """Page each list from its stored offset until nothing is wanted or the list ends."""
        for kind in KINDS:
            if not wanted:
                return
            async with self.db.session() as session:
                cursor = await get_cursor(session=session, day=self.day, what=kind)
            offset, done = cursor.offset, cursor.done
            while wanted and not done:
                offset, done = await self._page(kind, offset, page_size, wanted)

    async def _page(
        self, kind: str, offset: int, page_size: int, wanted: set[str]
    ) -> tuple[int, bool]:
        """One page: store the wanted articles on it with the new offset (one commit)."""
        page = partial(self.client.list_articles, offset=offset, limit=page_size, kind=kind)
        items, total = await self._call(page)
        found = [Reading(i.id, i.total_view, i.total_share) for i in items if i.id in wanted]
        offset += len(items)
        done = not items or offset >= total
        async with self.db.session() as session:
            await save_readings(session=session, day=self.day, readings=found, now=self.now)
            await set_cursor(
                session=session, day=self.day, what=kind, offset=offset, done=done, now=self.now
            )
            await session.commit()
        self.result.stored += len(found)
        wanted -= {r.article_id for r in found}
        return offset, done

    async def followers(self) -> None:
        async with self.db.session() as session:
            cursor = await get_cursor(session=session, day=self.day, what="followers")
            if cursor.done:
                self.result.followers = await followers_on(session=session, day=self.day)
                return
        total = await self._call(self.client.follower_total)
        async with self.db.session() as session:
            await save_followers(session=session, day=self.day, followers=total, now=self.now)
            await set_cursor(session=session, day=self.day, what="followers", offset=0,
                             done=True, now=self.now)  # fmt: skip
            await session.commit()
        self.result.followers = total


async def sync_reach(
    *,
    db: Database,
    client: ZaloClient | None,
    now: datetime,
    options: SyncOptions | None = None,
    wait: Wait | None = None,
) -> SyncResult:
    """Read today's figures for every tracked article and the OA, once per local day.

    A run that finished marks the day; later runs that day do nothing (no call) unless
    `options.force`. A run cut short resumes: articles already read today are not wanted
    again and each list is paged on from its stored offset.
    """
    options = options or SyncOptions()
    day = to_local(now).date()
    if client is None:
        return SyncResult(day=day, dry_run=True)
    sync = _Sync(db, client, now, wait or partial(wait_next_minute, SystemClock()))
    async with db.session() as session:
        if options.force:
            await forget_cursors(session=session, day=day)
            await session.commit()
        elif (await get_cursor(session=session, day=day, what="day")).done:
            sync.result.already_done = True
            sync.result.followers = await followers_on(session=session, day=day)
            return sync.result
        tracked = await tracked_articles(
            session=session, since=now - timedelta(days=options.track_days)
        )
        wanted = set(tracked)
        if not options.force:
            wanted -= await read_on(session=session, day=day, article_ids=tracked)
    sync.result.tracked = len(tracked)
    await sync.articles(wanted, options.page_size)  # removes what it finds from `wanted`
    await sync.followers()
    sync.result.unseen = len(wanted)
    async with db.session() as session:
        await set_cursor(session=session, day=day, what="day", offset=0, done=True, now=now)
        await session.commit()
    log.info(
        "reach sync %s: %d of %d articles read, %d unseen, followers %s, %d calls",
        day, sync.result.stored, len(tracked), len(wanted), sync.result.followers,
        sync.result.calls,
    )  # fmt: skip
    return sync.result
