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


# Refunds --------------------------------------------------------------------------------------

PRICE = Money(25_000, EUR)


def refund(amount_refunded: object, *, status=PaymentStatus.SUCCEEDED, refunded=0, charged=(25_000, "eur")):
    return rules.refund(status, PRICE, refunded, *charged, amount_refunded)


def test_a_full_refund_refunds_the_payment():
    assert refund(25_000) == rules.Refund(PaymentStatus.REFUNDED, 25_000, 25_000)
    # The rest of a payment refunded in part.
    assert refund(25_000, refunded=10_000) == rules.Refund(PaymentStatus.REFUNDED, 25_000, 15_000)


def test_a_partial_refund_is_recorded_and_the_payment_stays_succeeded():
    assert refund(10_000) == rules.Refund(PaymentStatus.SUCCEEDED, 10_000, 10_000)
    assert refund(12_500, refunded=10_000) == rules.Refund(PaymentStatus.SUCCEEDED, 12_500, 2_500)


@pytest.mark.parametrize(
    ("status", "refunded", "amount_refunded"),
    [
        # Replays, and refunds overtaken by a later one: Stripe states the total refunded so far.
        (PaymentStatus.SUCCEEDED, 10_000, 10_000),
        (PaymentStatus.SUCCEEDED, 10_000, 4_000),
        (PaymentStatus.REFUNDED, 25_000, 25_000),
        (PaymentStatus.REFUNDED, 25_000, 10_000),
        (PaymentStatus.SUCCEEDED, 0, 0),
    ],
)
def test_a_refund_that_says_no_more_than_recorded_changes_nothing(status, refunded, amount_refunded):
    assert refund(amount_refunded, status=status, refunded=refunded) is None


@pytest.mark.parametrize("status", [PaymentStatus.PENDING, PaymentStatus.FAILED])
@pytest.mark.parametrize("amount_refunded", [1, 25_000])
def test_only_a_succeeded_payment_is_refunded(status, amount_refunded):
    with pytest.raises(DomainError) as refused:
        refund(amount_refunded, status=status)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


@pytest.mark.parametrize(
    ("amount_refunded", "charged"),
    [
        (25_001, (25_000, "eur")),
        (-1, (25_000, "eur")),
        (None, (25_000, "eur")),
        ("25000", (25_000, "eur")),
        (True, (25_000, "eur")),
        (10_000, (30_000, "eur")),
        (10_000, (25_000, "usd")),
        (10_000, (None, None)),
    ],
)
def test_a_refund_of_another_charge_or_amount_is_refused(amount_refunded, charged):
    with pytest.raises(DomainError) as refused:
        refund(amount_refunded, charged=charged)
    assert refused.value.code is ErrorCode.CONFLICT


@pytest.mark.parametrize("status", list(LicenseStatus))
def test_only_an_active_license_is_refunded(status):
    if status is LicenseStatus.ACTIVE:
        assert rules.refund_license(status) is LicenseStatus.REFUNDED
        return
    with pytest.raises(DomainError) as refused:
        rules.refund_license(status)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


def test_a_refunded_license_is_not_paid_for_again():
    with pytest.raises(DomainError, match="new offer") as refused:
        rules.check_payable(LicenseStatus.REFUNDED)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


def test_a_refunded_license_is_not_in_force():
    assert not rules.license_in_force(LicenseStatus.REFUNDED, None, NOW)


def shares(gross: int, fee: int, currency: Currency = EUR) -> rules.Split:
    return rules.Split(Money(gross, currency), Money(fee, currency), Money(gross - fee, currency))


@pytest.mark.parametrize(
    ("kept", "refunded", "fee_back"),
    [
        # 250.00 EUR with a 20% fee: refunding 100.00 gives back 20.00 of fee and 80.00 of the photographer's net.
        (shares(25_000, 5_000), 10_000, 2_000),
        # 0.99 EUR (fee 0.20): 0.49 stays, whose fee is 9.9 cents, rounded to 10: 10 cents of fee back, 40 of net.
        (shares(99, 20), 50, 10),
        # Exactly half a cent of fee stays on 0.02 of 0.04 EUR (fee 0.01): rounded up, so no fee back.
        (shares(4, 1), 2, 0),
        # Whole yen.
        (shares(1_005, 201, JPY), 500, 100),
        # All of it.
        (shares(25_000, 5_000), 25_000, 5_000),
        (shares(25_000, 5_000), 0, 0),
    ],
)
def test_a_refund_takes_back_its_share_of_fee_and_net_in_whole_minor_units(kept, refunded, fee_back):
    back = rules.refund_split(kept, Money(refunded, kept.gross.currency))
    currency = kept.gross.currency
    assert back == rules.Split(
        Money(refunded, currency), Money(fee_back, currency), Money(refunded - fee_back, currency)
    )


@pytest.mark.parametrize("gross", [1, 3, 99, 1_005, 25_000, 9_999_999])
@pytest.mark.parametrize("percent", [Decimal(0), Decimal("12.5"), Decimal(20), Decimal("99.99")])
@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_refunds_in_parts_give_back_exactly_the_split_and_near_the_proportion(gross, percent, parts):
    original = rules.split(Money(gross, EUR), percent)
    kept, returned_net = original, 0
    for part in range(1, parts + 1):
        # Refunded in all after this part: part/parts of the gross, the last one all of it.
        amount = gross * part // parts - (gross - kept.gross.amount)
        back = rules.refund_split(kept, Money(amount, EUR))
        assert back.fee.amount + back.net.amount == amount
        assert 0 <= back.fee.amount <= kept.fee.amount and 0 <= back.net.amount <= kept.net.amount
        if kept.gross.amount:
            # The photographer gives back their share of the refund, to within half a minor unit.
            assert abs(back.net.amount - Decimal(kept.net.amount) * amount / kept.gross.amount) <= Decimal("0.5")
        kept = shares(kept.gross.amount - amount, kept.fee.amount - back.fee.amount)
        returned_net += back.net.amount
    assert kept.gross.amount == kept.fee.amount == kept.net.amount == 0
    assert returned_net == original.net.amount


@pytest.mark.parametrize("refunded", [Money(25_001, EUR), Money(-1, EUR), Money(100, JPY)])
def test_a_refund_of_more_than_is_kept_or_in_another_currency_is_a_bug(refunded):
    with pytest.raises(ValueError, match="refund"):
        rules.refund_split(shares(25_000, 5_000), refunded)


@pytest.mark.parametrize(
    ("status", "claimed", "paid_out"),
    [
        (EarningStatus.PENDING, False, False),
        # Claimed by a payout being sent: its amount is on its way.
        (EarningStatus.PENDING, True, True),
        (EarningStatus.PAID, True, True),
    ],
)
def test_an_earning_is_paid_out_once_a_payout_claimed_it(status, claimed, paid_out):
    assert rules.paid_out(status, claimed) is paid_out


def test_payout_stats_count_a_clawback_as_owed_back_until_netted():
    totals = [
        EarningTotal(EUR, EarningStatus.PAID, "2026-10", 20_000),
        # Refunded in November after its payout: 8,000 clawed back, nothing earned since.
        EarningTotal(EUR, EarningStatus.PENDING, "2026-11", -8_000),
    ]
    [eur] = rules.payout_stats(totals)
    assert (eur.total, eur.pending, eur.paid) == (Money(12_000, EUR), Money(-8_000, EUR), Money(20_000, EUR))
    assert [(item.month, item.amount.amount) for item in eur.by_month] == [("2026-10", 20_000), ("2026-11", -8_000)]
