"""Dashboards: which reads count as a photo view, the window of days a dashboard covers, and its figures.

Views are counted per photo and UTC day, never one row per view. A dashboard covers whole UTC days, both
ends included; its daily series show every day of the window, empty days as zero, so a chart needs no gaps
filled in by the client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.licensing import LicenseStatus
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.payments import Split
from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.domain.policies import PUBLIC_PHOTO_STATUS, PUBLIC_PHOTO_VISIBILITY

# A year, leap day included: long enough for a yearly report, short enough for a daily series to stay small.
MAX_WINDOW_DAYS = 366
DEFAULT_TOP_PHOTOS = 5
MAX_TOP_PHOTOS = 20


# Views --------------------------------------------------------------------------------------------


class Viewed(Enum):
    """What a counted view is of: each kind has its own daily totals."""

    PHOTO = "PHOTO"
    VERIFICATION = "VERIFICATION"


def counts_as_view(reader_id: UUID | None, owner_id: UUID, status: PhotoStatus, visibility: Visibility) -> bool:
    """A read of one photo that everyone may see, by anyone but its owner (anonymous readers included)."""
    return reader_id != owner_id and status is PUBLIC_PHOTO_STATUS and visibility is PUBLIC_PHOTO_VISIBILITY


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of an aware moment: the day a view is counted on."""
    return moment.astimezone(UTC).date()


# The window ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Whole UTC days from ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def starts_at(self) -> datetime:
        """The first moment inside the window."""
        return datetime.combine(self.first, time.min, UTC)

    @property
    def ends_before(self) -> datetime:
        """The first moment after the window: timestamps are in it when ``starts_at <= t < ends_before``."""
        return datetime.combine(self.last + timedelta(days=1), time.min, UTC)

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range(self.days)]


def window(first: date, last: date) -> Window:
    """Refuses a window that ends before it starts, or is longer than ``MAX_WINDOW_DAYS``."""
    if last < first:
        raise DomainError(ErrorCode.INVALID_INPUT, "`to` must be on or after `from`.", ["to"])
    if last == date.max:
        # The window ends before the day after ``last``, and the calendar has none after this one.
        raise DomainError(ErrorCode.INVALID_INPUT, f"`to` must be before {date.max.isoformat()}.", ["to"])
    chosen = Window(first, last)
    if chosen.days > MAX_WINDOW_DAYS:
        raise DomainError(ErrorCode.INVALID_INPUT, f"A dashboard covers at most {MAX_WINDOW_DAYS} days.", ["to"])
    return chosen


def top_count(first: int | None) -> int:
    """How many top photos to show: ``DEFAULT_TOP_PHOTOS`` unless asked, at most ``MAX_TOP_PHOTOS``."""
    count = DEFAULT_TOP_PHOTOS if first is None else first
    if not 1 <= count <= MAX_TOP_PHOTOS:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Ask for 1 to {MAX_TOP_PHOTOS} top photos.", ["first"])
    return count


# Figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


def daily_series(chosen: Window, counts: Mapping[date, int]) -> list[DayCount]:
    """One entry per day of the window, oldest first, zero where nothing was counted; days outside are left out."""
    return [DayCount(day, counts.get(day, 0)) for day in chosen.dates()]


@dataclass(frozen=True)
class StatusCount:
    status: LicenseStatus
    count: int


def by_status(counts: Mapping[LicenseStatus, int]) -> list[StatusCount]:
    """Every license status in its declared order, zero for those with none: the same rows on every dashboard."""
    return [StatusCount(status, counts.get(status, 0)) for status in LicenseStatus]


@dataclass(frozen=True)
class Tally:
    """How many of something, and how they spread over statuses and days: offers, say."""

    total: int
    by_status: list[StatusCount]
    daily: list[DayCount]


def tally(chosen: Window, rows: Iterable[tuple[LicenseStatus, date, int]]) -> Tally:
    """Sums (status, day, count) rows, as a GROUP BY gives them, into totals per status and per day."""
    statuses: dict[LicenseStatus, int] = {}
    days: dict[date, int] = {}
    for status, day, count in rows:
        statuses[status] = statuses.get(status, 0) + count
        days[day] = days.get(day, 0) + count
    return Tally(sum(statuses.values()), by_status(statuses), daily_series(chosen, days))


@dataclass(frozen=True)
class EarningSum:
    """A photographer's earnings of one currency in a window, as the database summed them."""

    currency: Currency
    gross: int
    fee: int
    net: int


def earnings(sums: Iterable[EarningSum]) -> list[Split]:
    """What brands paid, the platform kept and the photographer earned, one entry per currency earned in,
    alphabetical by currency code; currencies never earned in are left out."""
    return [
        Split(Money(item.gross, item.currency), Money(item.fee, item.currency), Money(item.net, item.currency))
        for item in sorted(sums, key=lambda item: item.currency.value)
    ]


def amounts(sums: Iterable[tuple[Currency, int]]) -> list[Money]:
    """(currency, amount) sums as Money, alphabetical by currency code."""
    return [Money(amount, currency) for currency, amount in sorted(sums, key=lambda item: item[0].value)]


@dataclass(frozen=True)
class ViewTotals:
    total: int
    daily: list[DayCount]


def view_totals(chosen: Window, counts: Mapping[date, int]) -> ViewTotals:
    series = daily_series(chosen, counts)
    return ViewTotals(sum(item.count for item in series), series)
