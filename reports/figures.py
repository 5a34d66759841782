"""Compliance figures as plain data: what the renderers draw and the services compute."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
