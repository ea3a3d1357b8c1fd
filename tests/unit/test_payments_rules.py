"""Money rules: the platform fee in minor units, payment and payout moves, license activation, payout stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from lensgraph.domain import payments as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.licensing import LicenseStatus
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.payments import (
    EarningStatus,
    EarningTotal,
    PaymentStatus,
    PayoutAccountStatus,
    PayoutStatus,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
EUR, JPY = Currency.EUR, Currency.JPY


# The platform fee ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gross", "percent", "fee"),
    [
        (Money(32_000, EUR), Decimal(20), 6_400),
        # 20% of 0.99 EUR is 19.8 cents: rounded to 20, the photographer gets 79.
        (Money(99, EUR), Decimal(20), 20),
        # Exactly half a cent rounds up: 12.5% of 0.04 EUR is 0.5 cent.
        (Money(4, EUR), Decimal("12.5"), 1),
        (Money(3, EUR), Decimal("12.5"), 0),
        # Zero-decimal currencies: minor units are whole yen, so the fee is whole yen too.
        (Money(1_005, JPY), Decimal(20), 201),
        (Money(1_003, JPY), Decimal(15), 150),
        (Money(1_000, EUR), Decimal(0), 0),
    ],
)
def test_the_fee_is_rounded_half_up_to_a_whole_minor_unit(gross, percent, fee):
    share = rules.split(gross, percent)
    assert share.fee == Money(fee, gross.currency)
    assert share.net == Money(gross.amount - fee, gross.currency)
    assert share.gross == gross


@pytest.mark.parametrize("amount", [1, 2, 7, 99, 101, 12_345, 9_999_999_99])
@pytest.mark.parametrize("percent", [Decimal(0), Decimal("0.5"), Decimal(20), Decimal("33.3"), Decimal("99.99")])
def test_fee_and_net_always_add_up_to_the_price(amount, percent):
    share = rules.split(Money(amount, EUR), percent)
    assert share.fee.amount + share.net.amount == amount
    assert 0 <= share.fee.amount <= amount


@pytest.mark.parametrize("percent", [Decimal(-1), Decimal(100), Decimal(150)])
def test_a_fee_outside_0_to_100_percent_is_refused(percent):
    with pytest.raises(ValueError, match="percentage"):
        rules.split(Money(1_000, EUR), percent)


# Payment and payout moves ---------------------------------------------------------------------

PAYMENT_ALLOWED = {
    (PaymentStatus.PENDING, PaymentStatus.SUCCEEDED),
    (PaymentStatus.PENDING, PaymentStatus.FAILED),
    (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED),
}
PAYOUT_ALLOWED = {(PayoutStatus.PENDING, PayoutStatus.PAID), (PayoutStatus.PENDING, PayoutStatus.FAILED)}


MOVES = [
    (move, current, target, (current, target) in allowed)
    for move, statuses, allowed in (
        (rules.move_payment, list(PaymentStatus), PAYMENT_ALLOWED),
        (rules.move_payout, list(PayoutStatus), PAYOUT_ALLOWED),
    )
    for current in statuses
    for target in statuses
]


@pytest.mark.parametrize(("move", "current", "target", "allowed"), MOVES)
def test_every_payment_and_payout_move_allowed_or_refused(move, current, target, allowed):
    if allowed:
        assert move(current, target) is target
    else:
        with pytest.raises(DomainError) as refused:
            move(current, target)
        assert refused.value.code is ErrorCode.INVALID_TRANSITION


# Paying for a license -------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(LicenseStatus))
def test_only_a_signed_license_is_paid_for_and_only_once(status):
    if status is LicenseStatus.AWAITING_PAYMENT:
        rules.check_payable(status)
        return
    with pytest.raises(DomainError) as refused:
        rules.check_payable(status)
    expected = ErrorCode.ALREADY_EXISTS if status is LicenseStatus.ACTIVE else ErrorCode.INVALID_TRANSITION
    assert (refused.value.code, refused.value.field) == (expected, ["licenseId"])


def test_an_open_checkout_is_reused_while_there_is_time_to_pay():
    expires = NOW + timedelta(hours=1)
    assert rules.checkout_reusable(PaymentStatus.PENDING, expires, NOW)
    assert not rules.checkout_reusable(PaymentStatus.PENDING, expires, expires - timedelta(minutes=5))
    assert not rules.checkout_reusable(PaymentStatus.FAILED, expires, NOW)
    assert not rules.checkout_reusable(PaymentStatus.SUCCEEDED, expires, NOW)


def test_the_charge_must_be_the_price_exactly():
    price = Money(32_000, EUR)
    rules.check_charge(price, 32_000, "eur")
    for amount, currency in ((31_999, "eur"), (32_000, "usd"), (None, None)):
        with pytest.raises(DomainError) as refused:
            rules.check_charge(price, amount, currency)
        assert refused.value.code is ErrorCode.CONFLICT


def test_payment_puts_a_license_in_force_from_now():
    assert rules.activate(LicenseStatus.AWAITING_PAYMENT, 365, NOW) == rules.LicensePeriod(
        NOW, NOW + timedelta(days=365)
    )
    assert rules.activate(LicenseStatus.AWAITING_PAYMENT, None, NOW) == rules.LicensePeriod(NOW, None)


@pytest.mark.parametrize("status", [status for status in LicenseStatus if status is not LicenseStatus.AWAITING_PAYMENT])
def test_only_a_license_awaiting_payment_is_activated(status):
    with pytest.raises(DomainError) as refused:
        rules.activate(status, 30, NOW)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


def test_a_license_is_in_force_while_active_and_not_ended():
    assert rules.license_in_force(LicenseStatus.ACTIVE, None, NOW)
    assert rules.license_in_force(LicenseStatus.ACTIVE, NOW + timedelta(seconds=1), NOW)
    assert not rules.license_in_force(LicenseStatus.ACTIVE, NOW, NOW)
    assert not rules.license_in_force(LicenseStatus.AWAITING_PAYMENT, None, NOW)


# Payout accounts and stats --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exists", "details_submitted", "payouts_enabled", "status"),
    [
        (False, False, False, PayoutAccountStatus.NOT_STARTED),
        (True, False, False, PayoutAccountStatus.PENDING),
        (True, True, False, PayoutAccountStatus.PENDING),
        (True, False, True, PayoutAccountStatus.PENDING),
        (True, True, True, PayoutAccountStatus.ACTIVE),
    ],
)
def test_payout_account_status(exists, details_submitted, payouts_enabled, status):
    assert rules.payout_account_status(exists, details_submitted, payouts_enabled) is status


def test_payout_stats_per_currency_and_month():
    totals = [
        EarningTotal(EUR, EarningStatus.PAID, "2026-10", 10_000),
        EarningTotal(EUR, EarningStatus.PENDING, "2026-11", 2_500),
        EarningTotal(EUR, EarningStatus.PAID, "2026-11", 500),
        EarningTotal(JPY, EarningStatus.PENDING, "2026-11", 4_000),
    ]
    eur, jpy = rules.payout_stats(totals)
    assert (eur.total, eur.pending, eur.paid) == (Money(13_000, EUR), Money(2_500, EUR), Money(10_500, EUR))
    assert [(item.month, item.amount.amount) for item in eur.by_month] == [("2026-10", 10_000), ("2026-11", 3_000)]
    assert (jpy.total, jpy.pending, jpy.paid) == (Money(4_000, JPY), Money(4_000, JPY), Money(0, JPY))
    assert rules.payout_stats([]) == []
