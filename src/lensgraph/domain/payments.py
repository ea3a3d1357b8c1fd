"""Money moving: a brand pays for a license, the photographer earns the price less the platform fee, payouts.

Every amount is in minor units of its currency (cents; whole yen for the zero-decimal JPY and KRW), which is
also what Stripe expects, so no amount is ever converted on its way out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import TypeVar

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.licensing import LicenseStatus
from lensgraph.domain.money import Currency, Money

# A checkout link handed out again must leave the brand time to pay before Stripe closes it.
CHECKOUT_REUSE_MARGIN = timedelta(minutes=10)


class PaymentStatus(Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


class PaymentDirection(Enum):
    """A payment seen from the viewer's side: PAID by them (a brand), or RECEIVED (the photographer paid)."""

    PAID = "PAID"
    RECEIVED = "RECEIVED"


class EarningStatus(Enum):
    # Owed to the photographer; possibly claimed by a payout that is not sent yet.
    PENDING = "PENDING"
    PAID = "PAID"


class EarningKind(Enum):
    # The photographer's share of a payment: one per payment, less each refund's share while it is not paid out.
    SALE = "SALE"
    # A refund's share of a sale already paid out, negative: taken back from the next payout.
    CLAWBACK = "CLAWBACK"


class PayoutStatus(Enum):
    PENDING = "PENDING"
    PAID = "PAID"
    FAILED = "FAILED"


class PayoutAccountStatus(Enum):
    NOT_STARTED = "NOT_STARTED"
    # Created at Stripe; details or verification still missing, so no money can be sent yet.
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"


S = TypeVar("S", PaymentStatus, PayoutStatus)

PAYMENT_MOVES: Mapping[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
    PaymentStatus.SUCCEEDED: frozenset({PaymentStatus.REFUNDED}),
}
PAYOUT_MOVES: Mapping[PayoutStatus, frozenset[PayoutStatus]] = {
    PayoutStatus.PENDING: frozenset({PayoutStatus.PAID, PayoutStatus.FAILED}),
}


def _move(moves: Mapping[S, frozenset[S]], current: S, target: S, what: str) -> S:
    if target not in moves.get(current, frozenset()):
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"A {current.value.lower()} {what} cannot become {target.value.lower()}.",
        )
    return target


def move_payment(current: PaymentStatus, target: PaymentStatus) -> PaymentStatus:
    """A payment settles once (SUCCEEDED or FAILED); only a succeeded one can be refunded."""
    return _move(PAYMENT_MOVES, current, target, "payment")


def move_payout(current: PayoutStatus, target: PayoutStatus) -> PayoutStatus:
    """A payout is sent once: PAID or FAILED, then never again."""
    return _move(PAYOUT_MOVES, current, target, "payout")


def check_payable(license_status: LicenseStatus) -> None:
    """Only a license both parties signed is paid for, and only once."""
    if license_status is LicenseStatus.ACTIVE:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "This license is paid for already.", ["licenseId"])
    if license_status is LicenseStatus.REFUNDED:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "This license was refunded: make a new offer to license the photo again.",
            ["licenseId"],
        )
    if license_status is not LicenseStatus.AWAITING_PAYMENT:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"This license is {license_status.value.lower()}: it is paid for once both parties signed its contract.",
            ["licenseId"],
        )


def checkout_open_long_enough(checkout_expires_at: datetime, now: datetime) -> bool:
    """Whether a checkout handed out again leaves time to pay in before Stripe closes it."""
    return now + CHECKOUT_REUSE_MARGIN < checkout_expires_at


def checkout_reusable(status: PaymentStatus, checkout_expires_at: datetime, now: datetime) -> bool:
    """Whether an open checkout can be handed out again rather than opening a second one."""
    return status is PaymentStatus.PENDING and checkout_open_long_enough(checkout_expires_at, now)


def check_charge(price: Money, amount_charged: int | None, currency_charged: str | None) -> None:
    """What Stripe says it charged must be the price exactly: anything else is a mistake, never a license."""
    if (amount_charged, (currency_charged or "").upper()) != (price.amount, price.currency.value):
        raise DomainError(
            ErrorCode.CONFLICT,
            f"The checkout charged {amount_charged} {currency_charged}, not the price of {price.formatted()}.",
        )


@dataclass(frozen=True)
class LicensePeriod:
    starts_at: datetime
    # None: perpetual.
    ends_at: datetime | None


def activate(license_status: LicenseStatus, duration_days: int | None, paid_at: datetime) -> LicensePeriod:
    """Payment puts a signed license in force: its duration runs from the moment it was paid."""
    if license_status is not LicenseStatus.AWAITING_PAYMENT:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"A {license_status.value.lower()} license cannot be put in force by a payment.",
        )
    ends_at = None if duration_days is None else paid_at + timedelta(days=duration_days)
    return LicensePeriod(paid_at, ends_at)


def license_in_force(status: LicenseStatus, ends_at: datetime | None, now: datetime) -> bool:
    """Paid for and not ended: what lets the brand download the original."""
    return status is LicenseStatus.ACTIVE and (ends_at is None or now < ends_at)


def check_fee_percent(percent: Decimal) -> Decimal:
    if not Decimal(0) <= percent < Decimal(100):
        raise ValueError("the platform fee is a percentage from 0 to less than 100")
    return percent


@dataclass(frozen=True)
class Split:
    """What the brand paid, what the platform keeps, what the photographer earns."""

    gross: Money
    fee: Money
    net: Money


def split(gross: Money, fee_percent: Decimal) -> Split:
    """The fee is rounded half up to a whole minor unit (a cent, or a yen): the photographer never gets a fraction."""
    check_fee_percent(fee_percent)
    fee = int((Decimal(gross.amount) * fee_percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Split(gross, Money(fee, gross.currency), Money(gross.amount - fee, gross.currency))


# Refunds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refund:
    """A payment after a refund: its status, what is refunded of it in all, and what this refund added."""

    status: PaymentStatus
    refunded: int
    added: int


def refund(
    status: PaymentStatus,
    price: Money,
    refunded: int,
    charge_amount: int | None,
    charge_currency: str | None,
    amount_refunded: object,
) -> Refund | None:
    """What Stripe's word that the payment's charge was refunded (``amount_refunded`` of it so far) does to it.

    In full, the payment is REFUNDED; in part, it stays SUCCEEDED with the amount recorded. Stripe states the total
    refunded so far, so an event that says no more than what is recorded (a replay, or one overtaken by a later
    refund) changes nothing: None.
    """
    check_charge(price, charge_amount, charge_currency)
    if not isinstance(amount_refunded, int) or isinstance(amount_refunded, bool):
        raise DomainError(ErrorCode.CONFLICT, f"The refunded amount {amount_refunded!r} is not an amount.")
    if not 0 <= amount_refunded <= price.amount:
        raise DomainError(
            ErrorCode.CONFLICT, f"{amount_refunded} cannot be refunded of a payment of {price.formatted()}."
        )
    if amount_refunded <= refunded:
        return None
    if status is not PaymentStatus.SUCCEEDED:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"A {status.value.lower()} payment cannot be refunded.")
    if amount_refunded == price.amount:
        status = move_payment(status, PaymentStatus.REFUNDED)
    return Refund(status, amount_refunded, amount_refunded - refunded)


# How long after its payment the photographer paid may agree to refund a sale themselves; later, only an admin.
PAYEE_REFUND_WINDOW = timedelta(days=14)


def payee_refund_window_open(paid_at: datetime | None, now: datetime) -> bool:
    """Whether the photographer paid may still refund their own sale: within ``PAYEE_REFUND_WINDOW`` of payment."""
    return paid_at is not None and now < paid_at + PAYEE_REFUND_WINDOW


def refund_request(status: PaymentStatus, price: Money, taken: int, amount: Money | None) -> Money:
    """What a refund asked through the API gives back: ``amount``, or all that is left when None. ``taken`` is what
    is refunded or asked of Stripe already. Refused: a payment not succeeded or refunded in full, an amount of zero or
    less, in another currency, or above what is left."""
    left = price.amount - taken
    if status is PaymentStatus.REFUNDED or (status is PaymentStatus.SUCCEEDED and left <= 0):
        raise DomainError(ErrorCode.ALREADY_REFUNDED, "This payment is refunded in full already.", ["paymentId"])
    if status is not PaymentStatus.SUCCEEDED:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"A {status.value.lower()} payment cannot be refunded: only a succeeded one can.",
            ["paymentId"],
        )
    if amount is None:
        return Money(left, price.currency)
    if amount.currency is not price.currency:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"This payment was made in {price.currency.value}: refund it in {price.currency.value}, "
            f"not {amount.currency.value}.",
            ["amount", "currency"],
        )
    if amount.amount <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "A refund must be of more than zero.", ["amount", "amount"])
    if amount.amount > left:
        raise DomainError(
            ErrorCode.REFUND_EXCEEDS_PAYMENT,
            f"At most {Money(left, price.currency).formatted()} of this payment is left to refund, "
            f"not {amount.formatted()}.",
            ["amount", "amount"],
        )
    return amount


def refund_license(license_status: LicenseStatus) -> LicenseStatus:
    """A payment refunded in full takes its license out of force for good: ACTIVE becomes REFUNDED."""
    if license_status is not LicenseStatus.ACTIVE:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"A {license_status.value.lower()} license cannot be refunded.")
    return LicenseStatus.REFUNDED


def refund_split(kept: Split, refunded: Money) -> Split:
    """The part of ``kept`` (what a payment still brings: its gross less earlier refunds, as fee and net) that a
    refund of ``refunded`` more takes back: the fee in the same proportion, rounded half up as ``split`` rounds it, the
    rest from the photographer's net. Whole minor units, never more than kept; everything once all is refunded."""
    if refunded.currency is not kept.gross.currency or not 0 <= refunded.amount <= kept.gross.amount:
        raise ValueError("a refund is of 0 to the whole of what a payment still brings, in its currency")
    if refunded.amount == kept.gross.amount:
        return kept
    left = kept.gross.amount - refunded.amount
    left_fee = int((Decimal(kept.fee.amount) * left / kept.gross.amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    fee = kept.fee.amount - left_fee
    return Split(refunded, Money(fee, refunded.currency), Money(refunded.amount - fee, refunded.currency))


def paid_out(status: EarningStatus, claimed: bool) -> bool:
    """Whether an earning was paid out or is being paid out: its amount can no longer change, so a refund's share of
    it is clawed back from the next payout instead of taken off it."""
    return status is EarningStatus.PAID or claimed


def payout_account_status(exists: bool, details_submitted: bool, payouts_enabled: bool) -> PayoutAccountStatus:
    """ACTIVE once Stripe has the photographer's details and lets money out to their bank."""
    if not exists:
        return PayoutAccountStatus.NOT_STARTED
    return PayoutAccountStatus.ACTIVE if details_submitted and payouts_enabled else PayoutAccountStatus.PENDING


@dataclass(frozen=True)
class EarningTotal:
    """Net earnings of one currency, status and calendar month (``YYYY-MM``, UTC), as summed by the database."""

    currency: Currency
    status: EarningStatus
    month: str
    net: int


@dataclass(frozen=True)
class MonthlyAmount:
    month: str
    amount: Money


@dataclass(frozen=True)
class PayoutStats:
    """One currency's earnings: everything earned, what is still owed, what was sent, and earned per month.

    Refunds lower them. A refund's share of an earning not paid out yet comes off that earning, in its month. The
    share of one already paid out is a clawback, a negative earning in the month of the refund: ``pending`` until the
    next payout nets it against later earnings (negative while it outweighs them), then ``paid``.
    """

    total: Money
    pending: Money
    paid: Money
    by_month: list[MonthlyAmount]


def payout_stats(totals: Iterable[EarningTotal]) -> list[PayoutStats]:
    """Per currency (alphabetical), months oldest first; currencies never earned in are left out."""
    owed: dict[Currency, int] = defaultdict(int)
    sent: dict[Currency, int] = defaultdict(int)
    monthly: dict[Currency, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for total in totals:
        (sent if total.status is EarningStatus.PAID else owed)[total.currency] += total.net
        monthly[total.currency][total.month] += total.net
    return [
        PayoutStats(
            total=Money(owed[currency] + sent[currency], currency),
            pending=Money(owed[currency], currency),
            paid=Money(sent[currency], currency),
            by_month=[MonthlyAmount(month, Money(amount, currency)) for month, amount in sorted(months.items())],
        )
        for currency, months in sorted(monthly.items(), key=lambda item: item[0].value)
    ]


# Receipts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptFacts:
    """What a license payment's receipt (the payer's) and statement (the payee's) say; names as the contract has
    them (the licensee's company when it names one), references as the brand gave them."""

    payment_id: str
    license_id: str
    photo_title: str
    paid_at: datetime | None
    amount: Money
    refunded: Money
    licensee: str
    licensor: str
    references: list[tuple[str, str]]
    # The payee's side: the platform fee, their share, and the payout that took it (None: not paid out yet).
    fee: Money | None = None
    share: Money | None = None
    payout: str | None = None


def _stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "not paid yet"


def receipt(facts: ReceiptFacts, direction: PaymentDirection) -> tuple[str, list[tuple[str, str]]]:
    """The document's title and headed blocks: the payer's receipt, or the payee's statement of what they earned."""
    refunded = f"\nRefunded: {facts.refunded.formatted()}" if facts.refunded.amount else ""
    blocks = [
        (
            "Payment",
            f"Payment {facts.payment_id}\nPaid: {_stamp(facts.paid_at)}\nAmount: {facts.amount.formatted()}{refunded}",
        ),
        (
            "License",
            f'License {facts.license_id} for the photo "{facts.photo_title}".\n'
            f"Licensee: {facts.licensee}\nLicensor: {facts.licensor}",
        ),
    ]
    if facts.references:
        blocks.append(("References", "\n".join(f"{label}: {value}" for label, value in facts.references)))
    if direction is PaymentDirection.PAID:
        return "Receipt", blocks
    assert facts.fee is not None and facts.share is not None
    payout = f"In payout {facts.payout}." if facts.payout else "Not paid out yet: it goes out with your next payout."
    blocks.append(
        ("Your share", f"Platform fee: {facts.fee.formatted()}\nYour share: {facts.share.formatted()}\n{payout}")
    )
    return "Payment statement", blocks
