"""Studio invoices: line items, discount and tax, totals in minor units, the status machine, and payments in part.

Amounts are whole minor units of the invoice's currency (cents; whole yen for the zero-decimal JPY and KRW), so a
line's amount (quantity x unit price) is exact. Rounding happens once, on the invoice's totals, never per line: the
percentage discount off the subtotal, then the tax on what is left, each rounded **half up** to a whole minor unit
(as the platform fee is). The arithmetic is the same for any exponent: a 3-decimal currency would only format
differently, but ``domain.money`` settles in none, so none is offered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from lensgraph.domain.errors import DomainError, ErrorCode

MAX_LINES = 100
MAX_DESCRIPTION = 500
MAX_QUANTITY = 100_000
# Ten million major units of a 2-decimal currency: far above any studio's line, far below 64-bit overflow.
MAX_UNIT_AMOUNT = 1_000_000_000
# Rates and percentage discounts are in basis points: 1 bp = 0.01 %, 10000 bp = 100 %.
MAX_BASIS_POINTS = 10_000
MAX_NOTES = 5_000


class InvoiceStatus(Enum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    PAID = "PAID"
    OVERDUE = "OVERDUE"
    VOID = "VOID"


class DiscountKind(Enum):
    NONE = "NONE"
    # ``discount_value`` in basis points of the subtotal.
    PERCENT = "PERCENT"
    # ``discount_value`` in minor units, at most the subtotal.
    AMOUNT = "AMOUNT"


MOVES: Mapping[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.SENT, InvoiceStatus.VOID}),
    InvoiceStatus.SENT: frozenset({InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.VOID}),
    InvoiceStatus.OVERDUE: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}),
}
# Invoices the client owes on: they can be paid, and count as outstanding.
OPEN = frozenset({InvoiceStatus.SENT, InvoiceStatus.OVERDUE})


def move(current: InvoiceStatus, target: InvoiceStatus) -> InvoiceStatus:
    """DRAFT -> SENT -> PAID | OVERDUE | VOID; OVERDUE -> PAID | VOID; a draft may be voided; PAID, VOID are final."""
    if target not in MOVES.get(current, frozenset()):
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"A {current.value.lower()} invoice cannot become {target.value.lower()}.",
            ["id"],
        )
    return target


def check_editable(status: InvoiceStatus) -> None:
    """Only a draft changes: what the client was sent is what they pay."""
    if status is not InvoiceStatus.DRAFT:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, f"A {status.value.lower()} invoice cannot be edited, only a draft.", ["id"]
        )


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_amount: int

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_amount


@dataclass(frozen=True)
class Discount:
    kind: DiscountKind
    value: int


NO_DISCOUNT = Discount(DiscountKind.NONE, 0)


@dataclass(frozen=True)
class Totals:
    subtotal: int
    discount: int
    tax: int
    total: int


def clean_lines(lines: Sequence[Line]) -> list[Line]:
    """1 to MAX_LINES lines, each a description, a quantity of at least 1 and a price of 0 or more."""
    if not 1 <= len(lines) <= MAX_LINES:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give 1 to {MAX_LINES} lines.", ["lines"])
    cleaned = []
    for index, line in enumerate(lines):
        where = ["lines", str(index)]
        description = " ".join(line.description.split())
        if not 1 <= len(description) <= MAX_DESCRIPTION:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"Describe each line in 1 to {MAX_DESCRIPTION} characters.",
                [*where, "description"],
            )
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise DomainError(
                ErrorCode.INVALID_INPUT, f"A quantity is a whole number from 1 to {MAX_QUANTITY}.", [*where, "quantity"]
            )
        if not 0 <= line.unit_amount <= MAX_UNIT_AMOUNT:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"A unit price is 0 to {MAX_UNIT_AMOUNT} minor units, never negative.",
                [*where, "unitAmount"],
            )
        cleaned.append(Line(description, line.quantity, line.unit_amount))
    return cleaned


def check_tax_rate(basis_points: int) -> int:
    if not 0 <= basis_points <= MAX_BASIS_POINTS:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "A tax rate is 0 to 10000 basis points (0 % to 100 %).", ["taxRateBasisPoints"]
        )
    return basis_points


def clean_discount(percent_basis_points: int | None, amount: int | None) -> Discount:
    """At most one of a percentage (basis points) and a fixed amount (minor units)."""
    if percent_basis_points is not None and amount is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give a percentage or an amount off, not both.", ["discount"])
    if percent_basis_points is not None:
        if not 0 <= percent_basis_points <= MAX_BASIS_POINTS:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "A discount is 0 to 10000 basis points.", ["discount", "percentBasisPoints"]
            )
        return Discount(DiscountKind.PERCENT, percent_basis_points)
    if amount is not None:
        if amount < 0:
            raise DomainError(ErrorCode.INVALID_INPUT, "An amount off is never negative.", ["discount", "amount"])
        return Discount(DiscountKind.AMOUNT, amount)
    return NO_DISCOUNT


def clean_notes(notes: str | None) -> str:
    cleaned = (notes or "").strip()
    if len(cleaned) > MAX_NOTES:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Notes are at most {MAX_NOTES} characters.", ["notes"])
    return cleaned


def _basis_points_of(amount: int, basis_points: int) -> int:
    """``amount`` x ``basis_points`` / 10000, rounded half up to a whole minor unit."""
    exact = Decimal(amount) * basis_points / MAX_BASIS_POINTS
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def totals(lines: Sequence[Line], discount: Discount, tax_rate_basis_points: int) -> Totals:
    """Subtotal (exact), discount off it, tax on the rest, total: rounded once each, half up, on the invoice."""
    subtotal = sum(line.amount for line in lines)
    if discount.kind is DiscountKind.PERCENT:
        off = _basis_points_of(subtotal, discount.value)
    elif discount.kind is DiscountKind.AMOUNT:
        if discount.value > subtotal:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "The amount off is more than the lines add up to.", ["discount", "amount"]
            )
        off = discount.value
    else:
        off = 0
    taxable = subtotal - off
    tax = _basis_points_of(taxable, tax_rate_basis_points)
    return Totals(subtotal, off, tax, taxable + tax)


def check_sendable(total: int, client_emails: Sequence[str]) -> str:
    """The address the invoice goes to; an invoice of nothing is not sent."""
    if total <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "An invoice of nothing is not sent: void it instead.", ["id"])
    if not client_emails:
        raise DomainError(ErrorCode.INVALID_INPUT, "The client has no email address to send the invoice to.", ["id"])
    return client_emails[0]


def is_overdue(status: InvoiceStatus, due_date: date, today: date) -> bool:
    """A sent invoice is overdue once its due day has ended (in UTC) with a balance left."""
    return status is InvoiceStatus.SENT and due_date < today


def check_payable(status: InvoiceStatus, total: int, paid: int, reserved: int, amount: int) -> None:
    """A payment of ``amount`` may start: the invoice is open and ``amount`` fits in what is neither paid nor held by
    an open checkout (``reserved``). A part payment is welcome; more than the balance never is."""
    if status is InvoiceStatus.VOID:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This invoice was voided: there is nothing to pay.", ["token"])
    if status is InvoiceStatus.PAID:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "This invoice is paid in full already.", ["token"])
    if status not in OPEN:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This invoice was not sent yet.", ["token"])
    if amount <= 0 and reserved and total - paid - reserved <= 0:
        raise DomainError(
            ErrorCode.PAYMENT_PENDING, "Checkouts already open cover what is left: pay one of them.", ["amount"]
        )
    if amount <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "Pay an amount of more than 0.", ["amount"])
    available = total - paid - reserved
    if amount > available:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"That is more than the {available} minor units left to pay"
            + (" (a checkout opened for the rest is still open)." if reserved else "."),
            ["amount"],
        )


@dataclass(frozen=True)
class Applied:
    paid: int
    status: InvoiceStatus

    @property
    def fully_paid(self) -> bool:
        return self.status is InvoiceStatus.PAID


def apply_payment(status: InvoiceStatus, total: int, paid: int, amount: int) -> Applied:
    """A completed payment of ``amount`` added to what is paid; the invoice is PAID when nothing is left."""
    if status not in OPEN:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"A {status.value.lower()} invoice takes no payment.")
    if not 0 < amount <= total - paid:
        raise DomainError(ErrorCode.CONFLICT, f"A payment of {amount} does not fit the balance of {total - paid}.")
    now_paid = paid + amount
    return Applied(now_paid, move(status, InvoiceStatus.PAID) if now_paid == total else status)


def check_voidable(status: InvoiceStatus, paid: int, checkout_open: bool) -> InvoiceStatus:
    """An invoice with money on it, or a checkout a client may still pay, is not voided: refund or wait first."""
    target = move(status, InvoiceStatus.VOID)
    if paid > 0:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "Part of this invoice is paid: it cannot be voided.", ["id"])
    if checkout_open:
        raise DomainError(
            ErrorCode.PAYMENT_PENDING, "The client has a checkout open for this invoice: try again later.", ["id"]
        )
    return target


def conversion_rate(leads: int, converted: int) -> float | None:
    """The share of leads who became clients; None without leads (no rate, rather than a made-up 0)."""
    return None if leads == 0 else converted / leads
