"""Invoice rules: every allowed and refused status move, totals and their rounding, payments in part, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from lensgraph.domain import invoices as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.invoices import Discount, DiscountKind, InvoiceStatus, Line

S = InvoiceStatus
ALLOWED = {
    (S.DRAFT, S.SENT),
    (S.DRAFT, S.VOID),
    (S.SENT, S.PAID),
    (S.SENT, S.OVERDUE),
    (S.SENT, S.VOID),
    (S.OVERDUE, S.PAID),
    (S.OVERDUE, S.VOID),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_move_is_allowed_or_refused(current, target):
    if (current, target) in ALLOWED:
        assert rules.move(current, target) is target
    else:
        with pytest.raises(DomainError) as refused:
            rules.move(current, target)
        assert refused.value.code is ErrorCode.INVALID_TRANSITION


@pytest.mark.parametrize("status", [S.SENT, S.PAID, S.OVERDUE, S.VOID])
def test_only_a_draft_is_edited(status):
    rules.check_editable(S.DRAFT)
    with pytest.raises(DomainError) as refused:
        rules.check_editable(status)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


def test_totals_round_once_half_up_on_the_invoice_not_per_line():
    # Three lines of 333 cents and 10 % off: 999 - 99.9 -> 100 off (half up), 899 taxed at 8.25 % = 74.1675 -> 74.
    lines = [Line("Print", 1, 333)] * 3
    totals = rules.totals(lines, Discount(DiscountKind.PERCENT, 1000), 825)
    assert totals == rules.Totals(subtotal=999, discount=100, tax=74, total=973)
    # Per line, the tax would be 3 x round(27.47) = 81 on the undiscounted lines: not what is charged.
    half = rules.totals([Line("Half", 1, 10)], rules.NO_DISCOUNT, 500)
    assert half.tax == 1  # 0.5 rounds up


def test_zero_decimal_currencies_use_whole_units():
    totals = rules.totals([Line("Session", 2, 15_000)], Discount(DiscountKind.AMOUNT, 1_000), 1_000)
    assert totals == rules.Totals(subtotal=30_000, discount=1_000, tax=2_900, total=31_900)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (Line("x", 0, 100), "quantity"),
        (Line("x", -1, 100), "quantity"),
        (Line("x", 1, -1), "unitAmount"),
        (Line("  ", 1, 100), "description"),
    ],
)
def test_bad_lines_are_refused(line, field):
    with pytest.raises(DomainError) as refused:
        rules.clean_lines([line])
    assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == ["lines", "0", field]


def test_no_lines_tax_out_of_range_and_bad_discounts_are_refused():
    for call in (
        lambda: rules.clean_lines([]),
        lambda: rules.check_tax_rate(-1),
        lambda: rules.check_tax_rate(10_001),
        lambda: rules.clean_discount(100, 100),
        lambda: rules.clean_discount(10_001, None),
        lambda: rules.clean_discount(None, -5),
        lambda: rules.totals([Line("x", 1, 100)], Discount(DiscountKind.AMOUNT, 101), 0),
    ):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code is ErrorCode.INVALID_INPUT


def test_payments_in_part_then_paid_in_full():
    first = rules.apply_payment(S.SENT, 1000, 0, 400)
    assert (first.paid, first.status, first.fully_paid) == (400, S.SENT, False)
    rest = rules.apply_payment(S.OVERDUE, 1000, 400, 600)
    assert (rest.paid, rest.status, rest.fully_paid) == (1000, S.PAID, True)
    for status in (S.DRAFT, S.PAID, S.VOID):
        with pytest.raises(DomainError):
            rules.apply_payment(status, 1000, 0, 100)
    with pytest.raises(DomainError) as over:
        rules.apply_payment(S.SENT, 1000, 400, 601)
    assert over.value.code is ErrorCode.CONFLICT


def test_what_may_be_paid():
    rules.check_payable(S.SENT, 1000, 0, 0, 1000)
    rules.check_payable(S.OVERDUE, 1000, 100, 300, 600)
    cases = [
        ((S.VOID, 1000, 0, 0, 100), ErrorCode.INVALID_TRANSITION),
        ((S.PAID, 1000, 1000, 0, 1), ErrorCode.ALREADY_EXISTS),
        ((S.DRAFT, 1000, 0, 0, 100), ErrorCode.INVALID_TRANSITION),
        ((S.SENT, 1000, 0, 0, 0), ErrorCode.INVALID_INPUT),
        ((S.SENT, 1000, 0, 0, 1001), ErrorCode.INVALID_INPUT),
        ((S.SENT, 1000, 100, 300, 601), ErrorCode.INVALID_INPUT),
    ]
    for arguments, code in cases:
        with pytest.raises(DomainError) as refused:
            rules.check_payable(*arguments)
        assert refused.value.code is code, arguments


def test_voiding_and_overdue():
    assert rules.check_voidable(S.SENT, 0, False) is S.VOID
    with pytest.raises(DomainError) as paid:
        rules.check_voidable(S.SENT, 1, False)
    assert paid.value.code is ErrorCode.INVALID_TRANSITION
    with pytest.raises(DomainError) as pending:
        rules.check_voidable(S.SENT, 0, True)
    assert pending.value.code is ErrorCode.PAYMENT_PENDING
    with pytest.raises(DomainError):
        rules.check_voidable(S.PAID, 0, False)
    assert rules.is_overdue(S.SENT, date(2030, 1, 1), date(2030, 1, 2))
    assert not rules.is_overdue(S.SENT, date(2030, 1, 2), date(2030, 1, 2))
    assert not rules.is_overdue(S.DRAFT, date(2030, 1, 1), date(2030, 1, 2))


def test_sending_needs_an_amount_and_an_address():
    assert rules.check_sendable(100, ["a@example.com", "b@example.com"]) == "a@example.com"
    for total, emails in ((0, ["a@example.com"]), (100, [])):
        with pytest.raises(DomainError):
            rules.check_sendable(total, emails)


def test_conversion_rate():
    assert rules.conversion_rate(0, 0) is None
    assert rules.conversion_rate(4, 1) == 0.25
