"""Compliance figures as plain data: what the renderers draw and the services compute."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Standing(StrEnum):
    """How a unit did for a month."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    NOT_TRACKED = "not_tracked"  # the month's deadline came before Newsdesk went live


@dataclass(frozen=True)
class Officer:
    """The unit's policy-communication officer as the report shows them."""

    name: str
    position: str
    phone: str | None = None  # filled only for the internal copy


@dataclass(frozen=True)
class UnitMonth:
    """One unit's row for one month."""

    unit_code: str
    unit_name: str
    submitted: int
    approved: int
    published: int
    standing: Standing
    first_received_at: datetime | None = None  # first qualifying submission, aware UTC
    officers: tuple[Officer, ...] = ()
    unit_kind: str = "other"  # domain.kinds.UnitKind value: the report groups by it

    @property
    def complied(self) -> bool:
        return self.standing in (Standing.ON_TIME, Standing.LATE)


@dataclass(frozen=True)
class UnitReach:
    """A unit's articles on the OA in a month and how often they were read.

    `views`/`shares` are the latest totals Zalo reported (up to the report's day) for the
    articles published that month; None when no reading exists (dry run, sync not yet run).
    """

    articles: int = 0
    views: int | None = None
    shares: int | None = None

    @property
    def views_per_article(self) -> float | None:
        if self.views is None or not self.articles:
            return None
        return self.views / self.articles


@dataclass(frozen=True)
class OaReach:
    """The OA's followers at the start (last reading before the month) and end of a month."""

    start: int | None = None
    end: int | None = None

    @property
    def growth(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass(frozen=True)
class MonthReach:
    """Reach figures of one month: per unit code, and for the OA."""

    period: str
    as_of: date | None  # the last local day whose readings were used; None = no reading at all
    units: dict[str, UnitReach] = field(default_factory=dict)
    oa: OaReach = field(default_factory=OaReach)
    # Followers at the end of each of the twelve months up to this one (oldest first).
    followers_trend: tuple[tuple[str, int | None], ...] = ()

    def of(self, unit_code: str) -> UnitReach:
        """A unit's figures; with readings at hand, a unit without articles has 0 views."""
        empty = UnitReach() if self.as_of is None else UnitReach(0, 0, 0)
        return self.units.get(unit_code, empty)

    @property
    def total(self) -> UnitReach:
        """All units together (the totals row)."""
        known = [u.views for u in self.units.values() if u.views is not None]
        shares = [u.shares for u in self.units.values() if u.shares is not None]
        return UnitReach(
            articles=sum(u.articles for u in self.units.values()),
            views=sum(known) if known else None,
            shares=sum(shares) if shares else None,
        )


@dataclass(frozen=True)
class MonthReport:
    """The month's compliance report for every counted unit valid in that month."""

    period: str
    deadline: datetime
    generated_at: datetime
    rows: tuple[UnitMonth, ...]
    internal: bool = False  # the internal copy carries phone numbers
    # Units still without an active officer once the registration deadline has passed.
    unregistered: tuple[str, ...] = ()
    # False for a month whose deadline came before Newsdesk went live: every row NOT_TRACKED.
    tracked: bool = True
    counts_as: str = "sent"  # the compliance rule the standings follow (schedule.counts_as)
    reach: MonthReach | None = None  # views and followers (reports.reach.with_reach)

    @property
    def complied(self) -> tuple[UnitMonth, ...]:
        return tuple(r for r in self.rows if r.complied)

    @property
    def missing(self) -> tuple[UnitMonth, ...]:
        """Units not compliant (nothing sent, or nothing that counts)."""
        return tuple(r for r in self.rows if r.standing is Standing.MISSING)

    @property
    def sent(self) -> tuple[UnitMonth, ...]:
        """Units that sent anything this month, whatever became of it."""
        return tuple(r for r in self.rows if r.submitted)

    @property
    def published(self) -> tuple[UnitMonth, ...]:
        """Units with at least one item published this month."""
        return tuple(r for r in self.rows if r.published)

    def count(self, standing: Standing) -> int:
        return sum(1 for r in self.rows if r.standing is standing)


@dataclass(frozen=True)
class YearRow:
    """One unit's line of the yearly grid; None where the unit was not counted that month,
    NOT_TRACKED for months before Newsdesk went live."""

    unit_code: str
    unit_name: str
    months: tuple[Standing | None, ...]  # 12 entries, January first
    unit_kind: str = "other"  # domain.kinds.UnitKind value: the report groups by it
    note: str = ""  # when the unit ended or started that year, and its successors

    @property
    def complied_months(self) -> int:
        return sum(1 for m in self.months if m in (Standing.ON_TIME, Standing.LATE))

    @property
    def counted_months(self) -> int:
        return sum(1 for m in self.months if m is not None and m is not Standing.NOT_TRACKED)


@dataclass(frozen=True)
class YearReport:
    """A unit x month grid for one year (months not yet ended are left empty)."""

    year: int
    generated_at: datetime
    rows: tuple[YearRow, ...] = field(default_factory=tuple)
    reach: tuple[MonthReach, ...] | None = None  # 12 months, January first (with_year_reach)
