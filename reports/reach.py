"""Reach figures for the reports, in two queries whatever the number of units, articles or months.

Per unit and month: the articles Newsdesk published on the OA that month (real ones, not dry
runs, including those removed from the OA since; counted once per Zalo article) and their
latest views and shares read on or before the report's day. For the OA: followers at the start
of the month (the last reading before its first day) and at its end (the last reading in the
month, up to the report's day). A figure with no reading behind it is None, shown as "—":
nothing is estimated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import and_, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.periods import month_bounds, period_of, previous_period, to_local
from reports.compliance import fetch_rows, period_days
from reports.figures import MonthReach, MonthReport, OaReach, UnitReach, YearReport
from storage.models import ArticleStat, OaStat, Publication, Submission, Unit
from storage.reach import PUBLISHED, REMOVED

TREND_MONTHS = 12


@dataclass
class _Sum:
    articles: int = 0
    views: int | None = None
    shares: int | None = None

    def add(self, views: int | None, shares: int | None) -> None:
        self.articles += 1
        if views is not None:
            self.views = (self.views or 0) + views
            self.shares = (self.shares or 0) + (shares or 0)


async def _articles(
    session: AsyncSession, periods: list[str], cutoff: date, unit_ids: list[int] | None = None
) -> tuple[dict[tuple[str, str], _Sum], bool]:
    """(unit code, period) -> articles and their views; and whether any reading was used
    (of the given units only, when `unit_ids` is given)."""
    start, _ = month_bounds(periods[0])
    _, end = month_bounds(periods[-1])
    latest = (  # each article's last reading day up to the cutoff
        select(col(ArticleStat.article_id), func.max(col(ArticleStat.day)).label("day"))
        .where(col(ArticleStat.day) <= cutoff)
        .group_by(col(ArticleStat.article_id))
        .subquery()
    )
    query = (
        select(
            col(Unit.code),
            col(Publication.article_id),
            col(Publication.published_at),
            col(ArticleStat.views),
            col(ArticleStat.shares),
        )
        .join(Submission, col(Submission.id) == col(Publication.submission_id))
        .join(Unit, col(Unit.id) == col(Submission.unit_id))
        .outerjoin(latest, latest.c.article_id == col(Publication.article_id))
        .outerjoin(
            ArticleStat,
            and_(
                col(ArticleStat.article_id) == latest.c.article_id,
                col(ArticleStat.day) == latest.c.day,
            ),
        )
        .where(col(Publication.status).in_([PUBLISHED, REMOVED]))  # removed later: still counted
        .where(col(Publication.dry_run).is_(False))
        .where(col(Publication.article_id).is_not(None))
        .where(col(Publication.published_at) >= start)
        .where(col(Publication.published_at) < end)
        .order_by(col(Publication.published_at))
    )
    if unit_ids is not None:
        query = query.where(col(Unit.id).in_(unit_ids))
    sums: dict[tuple[str, str], _Sum] = defaultdict(_Sum)
    seen: set[str] = set()
    any_reading = False
    for code, article_id, published_at, views, shares in await fetch_rows(session, query):
        if article_id in seen:  # two publication rows of one Zalo article count once
            continue
        seen.add(article_id)
        at = published_at if published_at.tzinfo else published_at.replace(tzinfo=UTC)
        sums[(code, period_of(at))].add(views, shares)
        any_reading = any_reading or views is not None
    return sums, any_reading


async def _followers(session: AsyncSession, last: date) -> list[tuple[date, int]]:
    """Every follower reading up to `last` (one row per day: a few hundred a year)."""
    query = (
        select(col(OaStat.day), col(OaStat.followers))
        .where(col(OaStat.day) <= last)
        .order_by(col(OaStat.day))
    )
    return [(day, followers) for day, followers in await fetch_rows(session, query)]


def _oa(readings: list[tuple[date, int]], period: str, cutoff: date) -> OaReach:
    first, last = period_days(period)
    before = [f for d, f in readings if d < first]
    during = [f for d, f in readings if first <= d <= min(last, cutoff)]
    return OaReach(start=before[-1] if before else None, end=during[-1] if during else None)


def _month(
    period: str,
    sums: dict[tuple[str, str], _Sum],
    readings: list[tuple[date, int]],
    cutoff: date,
    *,
    any_reading: bool,
) -> MonthReach:
    units = {
        code: UnitReach(s.articles, s.views, s.shares)
        for (code, p), s in sums.items()
        if p == period
    }
    as_of = cutoff if any_reading or readings else None
    trend = [period]
    while len(trend) < TREND_MONTHS:
        trend.insert(0, previous_period(trend[0]))
    return MonthReach(
        period=period,
        as_of=as_of,
        units=units,
        oa=_oa(readings, period, cutoff),
        followers_trend=tuple((p, _oa(readings, p, cutoff).end) for p in trend),
    )


async def month_reach(*, session: AsyncSession, period: str, now: datetime) -> MonthReach:
    """A month's reach figures as known on `now`'s local day (two queries)."""
    cutoff = to_local(now).date()
    sums, any_reading = await _articles(session, [period], cutoff)
    readings = await _followers(session, min(period_days(period)[1], cutoff))
    return _month(period, sums, readings, cutoff, any_reading=any_reading)


async def units_reach(
    *, session: AsyncSession, periods: list[str], now: datetime, unit_ids: list[int]
) -> dict[tuple[str, str], UnitReach]:
    """(unit code, period) -> the unit's articles on the OA that month and their views and
    shares as known on `now`'s local day, for the given units (one query; the board's cells)."""
    sums, _ = await _articles(session, periods, to_local(now).date(), unit_ids)
    return {key: UnitReach(s.articles, s.views, s.shares) for key, s in sums.items()}


async def with_reach(*, session: AsyncSession, report: MonthReport) -> MonthReport:
    """The month report with its reach figures."""
    reach = await month_reach(session=session, period=report.period, now=report.generated_at)
    return replace(report, reach=reach)


async def with_year_reach(*, session: AsyncSession, report: YearReport) -> YearReport:
    """The yearly report with twelve months of reach figures (two queries)."""
    periods = [f"{report.year:04d}-{m:02d}" for m in range(1, 13)]
    cutoff = to_local(report.generated_at).date()
    sums, any_reading = await _articles(session, periods, cutoff)
    readings = await _followers(session, min(period_days(periods[-1])[1], cutoff))
    current = period_of(report.generated_at)
    months = tuple(
        _month(p, sums, readings, cutoff, any_reading=any_reading)
        if p <= current
        else MonthReach(period=p, as_of=None)  # a month still ahead: no figure, "—"
        for p in periods
    )
    return replace(report, reach=months)
