"""Reach rows: article readings and follower counts per local day, and the sync's cursor.

Every write is an upsert on its natural key ((article, day) and day), so a rerun, a restart or
a second instance leaves one row per article per day and one per OA per day. The cursor of a
day's sync (how far it has paged) is a `job_run` row keyed `reach:<day>:<what>`, whose
`page_offset` holds the offset reached; `finished_at` set means that part is done for the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.states import PublicationStatus
from storage.models import ArticleStat, JobRun, OaStat, Publication
from storage.rows import dialect_insert, table_of

_PAGE = {"insertmanyvalues_page_size": 5000}
PUBLISHED = PublicationStatus.PUBLISHED.value
REMOVED = PublicationStatus.REMOVED.value  # was on the OA, since deleted there


@dataclass(frozen=True)
class Reading:
    """One article's totals as Zalo reported them."""

    article_id: str
    views: int
    shares: int


@dataclass(frozen=True)
class Cursor:
    """How far a day's sync of one list has gone."""

    offset: int = 0
    done: bool = False


async def tracked_articles(*, session: AsyncSession, since: datetime) -> set[str]:
    """Zalo article ids Newsdesk published for real (not dry runs) since `since`."""
    query = (
        select(col(Publication.article_id))
        .where(col(Publication.status) == PUBLISHED)
        .where(col(Publication.dry_run).is_(False))
        .where(col(Publication.article_id).is_not(None))
        .where(col(Publication.published_at) >= since)
    )
    return {str(a) for a in (await session.exec(query)).all() if a}


async def read_on(*, session: AsyncSession, day: date, article_ids: set[str]) -> set[str]:
    """Which of `article_ids` already have a reading for `day`."""
    if not article_ids:
        return set()
    query = select(col(ArticleStat.article_id)).where(col(ArticleStat.day) == day)
    return {a for a in (await session.exec(query)).all() if a in article_ids}


async def save_readings(
    *, session: AsyncSession, day: date, readings: Sequence[Reading], now: datetime
) -> None:
    """Store the day's readings; a second reading the same day replaces the first."""
    if not readings:
        return
    t = table_of(ArticleStat)
    rows = [
        {"article_id": r.article_id, "day": day, "views": r.views, "shares": r.shares,
         "read_at": now}
        for r in {r.article_id: r for r in readings}.values()
    ]  # fmt: skip
    stmt = dialect_insert(session)(t)
    stmt = stmt.on_conflict_do_update(
        index_elements=["article_id", "day"],
        set_={"views": stmt.excluded.views, "shares": stmt.excluded.shares,
              "read_at": stmt.excluded.read_at},
    )  # fmt: skip
    await session.exec(stmt, params=rows, execution_options=_PAGE)


async def followers_on(*, session: AsyncSession, day: date) -> int | None:
    row = await session.get(OaStat, day)
    return row.followers if row else None


async def last_followers(*, session: AsyncSession) -> OaStat | None:
    """The most recent follower reading."""
    query = select(OaStat).order_by(col(OaStat.day).desc()).limit(1)
    return (await session.exec(query)).first()


async def save_followers(
    *, session: AsyncSession, day: date, followers: int, now: datetime
) -> None:
    t = table_of(OaStat)
    stmt = dialect_insert(session)(t).values(day=day, followers=followers, read_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day"],
        set_={"followers": stmt.excluded.followers, "read_at": stmt.excluded.read_at},
    )
    await session.exec(stmt)


def cursor_key(day: date, what: str) -> str:
    return f"reach:{day.isoformat()}:{what}"


async def get_cursor(*, session: AsyncSession, day: date, what: str) -> Cursor:
    row = (
        await session.exec(select(JobRun).where(col(JobRun.key) == cursor_key(day, what)))
    ).first()
    if row is None:
        return Cursor()
    return Cursor(offset=row.page_offset or 0, done=row.finished_at is not None)


async def set_cursor(
    *, session: AsyncSession, day: date, what: str, offset: int, done: bool, now: datetime
) -> None:
    """Record progress (the caller commits it with the rows of the same page)."""
    key = cursor_key(day, what)
    values = {
        "page_offset": offset,
        "outcome": f"offset {offset}",
        "finished_at": now if done else None,
    }
    stmt = dialect_insert(session)(JobRun).values(key=key, started_at=now, **values)
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_=values)
    await session.exec(stmt)


async def forget_cursors(*, session: AsyncSession, day: date) -> None:
    """Let the day's sync run again from the start (a forced refresh)."""
    prefix = cursor_key(day, "")
    await session.exec(
        update(JobRun)
        .where(col(JobRun.key).startswith(prefix))
        .values(finished_at=None, page_offset=0, outcome="offset 0")
    )
