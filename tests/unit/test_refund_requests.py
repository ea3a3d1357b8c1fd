"""Refunds asked through the API: what may be asked, and who may ask within which window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.payments import PAYEE_REFUND_WINDOW, PaymentStatus, refund_request
from lensgraph.domain.policies import Viewer, can_refund_payment

PRICE = Money(25_000, Currency.EUR)
PAID = datetime(2026, 12, 1, tzinfo=UTC)


def test_all_that_is_left_or_a_part():
    assert refund_request(PaymentStatus.SUCCEEDED, PRICE, 0, None) == PRICE
    assert refund_request(PaymentStatus.SUCCEEDED, PRICE, 10_000, None) == Money(15_000, Currency.EUR)
    part = Money(5_000, Currency.EUR)
    assert refund_request(PaymentStatus.SUCCEEDED, PRICE, 10_000, part) == part
    assert refund_request(PaymentStatus.SUCCEEDED, PRICE, 10_000, Money(15_000, Currency.EUR)).amount == 15_000


@pytest.mark.parametrize(
    ("status", "taken", "amount", "code"),
    [
        (PaymentStatus.SUCCEEDED, 0, Money(25_001, Currency.EUR), ErrorCode.REFUND_EXCEEDS_PAYMENT),
        (PaymentStatus.SUCCEEDED, 20_000, Money(5_001, Currency.EUR), ErrorCode.REFUND_EXCEEDS_PAYMENT),
        (PaymentStatus.SUCCEEDED, 0, Money(0, Currency.EUR), ErrorCode.INVALID_INPUT),
        (PaymentStatus.SUCCEEDED, 0, Money(-1, Currency.EUR), ErrorCode.INVALID_INPUT),
        (PaymentStatus.SUCCEEDED, 0, Money(100, Currency.USD), ErrorCode.INVALID_INPUT),
        (PaymentStatus.SUCCEEDED, 25_000, None, ErrorCode.ALREADY_REFUNDED),
        (PaymentStatus.REFUNDED, 25_000, Money(1, Currency.EUR), ErrorCode.ALREADY_REFUNDED),
        (PaymentStatus.PENDING, 0, None, ErrorCode.INVALID_TRANSITION),
        (PaymentStatus.FAILED, 0, None, ErrorCode.INVALID_TRANSITION),
    ],
)
def test_refused_requests(status, taken, amount, code):
    with pytest.raises(DomainError) as refused:
        refund_request(status, PRICE, taken, amount)
    assert refused.value.code is code


def test_admins_always_the_payee_within_the_window_nobody_else():
    payee = uuid4()
    inside, outside = PAID + PAYEE_REFUND_WINDOW - timedelta(seconds=1), PAID + PAYEE_REFUND_WINDOW
    assert can_refund_payment(Viewer(uuid4(), Role.ADMIN), payee, PAID, outside)
    assert can_refund_payment(Viewer(payee, Role.PHOTOGRAPHER), payee, PAID, inside)
    assert not can_refund_payment(Viewer(payee, Role.PHOTOGRAPHER), payee, PAID, outside)
    assert not can_refund_payment(Viewer(payee, Role.PHOTOGRAPHER), payee, None, inside)
    assert not can_refund_payment(Viewer(uuid4(), Role.BRAND), payee, PAID, inside)
    assert not can_refund_payment(None, payee, PAID, inside)
