"""Dashboard rules: which reads are views, the window of days, daily series, counts per status and currency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from lensgraph.domain import analytics as rules
from lensgraph.domain.analytics import DayCount, EarningSum, StatusCount, Window
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.licensing import LicenseStatus
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.photos import PhotoStatus, Visibility

OWNER, READER = uuid4(), uuid4()
EUR, JPY, USD = Currency.EUR, Currency.JPY, Currency.USD


# Views --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "status", "visibility", "counted"),
    [
        (READER, PhotoStatus.READY, Visibility.PUBLIC, True),
        (None, PhotoStatus.READY, Visibility.PUBLIC, True),
        # The owner looking at their own photo is not an audience.
        (OWNER, PhotoStatus.READY, Visibility.PUBLIC, False),
        # Only the owner could read these; nobody else's read can be counted either.
        (READER, PhotoStatus.READY, Visibility.PRIVATE, False),
        (READER, PhotoStatus.PROCESSING, Visibility.PUBLIC, False),
        (None, PhotoStatus.FAILED, Visibility.PUBLIC, False),
    ],
)
def test_which_reads_count_as_views(reader, status, visibility, counted):
    assert rules.counts_as_view(reader, OWNER, status, visibility) is counted


def test_a_view_is_counted_on_its_utc_day():
    late_in_new_york = datetime(2026, 3, 1, 22, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert rules.utc_day(late_in_new_york) == date(2026, 3, 2)
    assert rules.utc_day(datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)) == date(2026, 3, 1)


# The window ---------------------------------------------------------------------------------------


def test_a_window_covers_whole_utc_days_both_ends_included():
    chosen = rules.window(date(2026, 2, 27), date(2026, 3, 1))
    assert chosen.days == 3
    assert chosen.dates() == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]
    assert chosen.starts_at == datetime(2026, 2, 27, tzinfo=UTC)
    assert chosen.ends_before == datetime(2026, 3, 2, tzinfo=UTC)


def test_a_window_of_one_day_and_of_a_leap_year():
    assert rules.window(date(2026, 5, 1), date(2026, 5, 1)).dates() == [date(2026, 5, 1)]
    leap_year = rules.window(date(2028, 1, 1), date(2028, 12, 31))
    assert leap_year.days == rules.MAX_WINDOW_DAYS == 366


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 5, 2), date(2026, 5, 1), "`to` must be on or after `from`."),
        (date(2026, 1, 1), date(2027, 1, 2), "A dashboard covers at most 366 days."),
    ],
)
def test_a_window_ending_before_it_starts_or_too_long_is_refused(first, last, message):
    with pytest.raises(DomainError) as refused:
        rules.window(first, last)
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        ErrorCode.INVALID_INPUT,
        ["to"],
        message,
    )


@pytest.mark.parametrize(("first", "count"), [(None, 5), (1, 1), (20, 20)])
def test_top_photos_default_to_five_and_go_up_to_twenty(first, count):
    assert rules.top_count(first) == count


@pytest.mark.parametrize("first", [0, -1, 21])
def test_more_top_photos_than_twenty_or_none_are_refused(first):
    with pytest.raises(DomainError) as refused:
        rules.top_count(first)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, ["first"])


# Figures ------------------------------------------------------------------------------------------

WEEK = Window(date(2026, 5, 1), date(2026, 5, 7))


def test_a_daily_series_fills_empty_days_with_zero_and_leaves_out_days_outside():
    counts = {date(2026, 5, 2): 4, date(2026, 5, 7): 1, date(2026, 4, 30): 9, date(2026, 5, 8): 9}
    series = rules.daily_series(WEEK, counts)
    assert [item.count for item in series] == [0, 4, 0, 0, 0, 0, 1]
    assert [item.day for item in series] == WEEK.dates()


def test_view_totals_sum_the_days_of_the_window():
    totals = rules.view_totals(WEEK, {date(2026, 5, 1): 3, date(2026, 5, 5): 2})
    assert totals.total == 5
    assert totals.daily[0] == DayCount(date(2026, 5, 1), 3) and totals.daily[4] == DayCount(date(2026, 5, 5), 2)
    assert rules.view_totals(WEEK, {}).total == 0


def test_every_status_is_listed_in_order_zero_included():
    counts = rules.by_status({LicenseStatus.ACTIVE: 2, LicenseStatus.OFFERED: 1})
    assert [item.status for item in counts] == list(LicenseStatus)
    assert {item.status: item.count for item in counts if item.count} == {
        LicenseStatus.ACTIVE: 2,
        LicenseStatus.OFFERED: 1,
    }


def test_a_tally_adds_up_rows_per_status_and_per_day():
    rows = [
        (LicenseStatus.OFFERED, date(2026, 5, 1), 2),
        (LicenseStatus.ACTIVE, date(2026, 5, 1), 1),
        (LicenseStatus.OFFERED, date(2026, 5, 3), 1),
    ]
    tally = rules.tally(WEEK, rows)
    assert tally.total == 4
    assert StatusCount(LicenseStatus.OFFERED, 3) in tally.by_status
    assert StatusCount(LicenseStatus.ACTIVE, 1) in tally.by_status
    assert [item.count for item in tally.daily] == [3, 0, 1, 0, 0, 0, 0]


def test_earnings_are_money_per_currency_in_alphabetical_order():
    sums = [EarningSum(USD, 1_000, 200, 800), EarningSum(EUR, 50_000, 10_000, 40_000)]
    [euros, dollars] = rules.earnings(sums)
    assert (euros.gross, euros.fee, euros.net) == (Money(50_000, EUR), Money(10_000, EUR), Money(40_000, EUR))
    assert dollars.net == Money(800, USD)
    assert rules.earnings([]) == []


def test_amounts_are_money_in_alphabetical_order_of_currency():
    assert rules.amounts([(USD, 5), (JPY, 1_500), (EUR, 20)]) == [Money(20, EUR), Money(1_500, JPY), Money(5, USD)]
