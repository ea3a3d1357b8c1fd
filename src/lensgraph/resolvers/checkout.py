"""The Stripe checkout every payment goes through, whatever it pays for (a license, a marketplace purchase, a
print order).

Opening: a PENDING ``Payment`` naming what it pays for, saved with its Stripe session. Settling: Stripe's word that
the session was paid moves the payment to SUCCEEDED and records the earner's share as an ``Earning`` (what payouts
pay out). The callers hold the row the payment is for first, so each of these runs once per payment at a time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from lensgraph.adapters.payments import PaidItem, PaymentRefused
from lensgraph.domain import payments as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Money
from lensgraph.domain.payments import EarningKind, EarningStatus, PaymentStatus
from lensgraph.persistence import payments as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Earning, Payment
from lensgraph.resolvers.context import Context

log = logging.getLogger(__name__)

# Stripe's longest product name is far longer; this keeps the checkout page readable.
MAX_PRODUCT_NAME = 120


@dataclass(frozen=True)
class Checkout:
    payment: Payment
    url: str


def reusable(pending: Payment | None) -> Checkout | None:
    """The open checkout to hand out again, if it leaves time to pay; a lapsed one is closed (FAILED) here."""
    if pending is None:
        return None
    if rules.checkout_reusable(pending.status, pending.checkout_expires_at, utcnow()):
        return Checkout(pending, pending.checkout_url)
    # Its session lapsed and the event saying so never came: close it before opening the next one.
    pending.status = rules.move_payment(pending.status, PaymentStatus.FAILED)
    return None


async def open_checkout(
    ctx: Context,
    uow: UnitOfWork,
    payment: Payment,
    item: PaidItem,
    *,
    product: str,
    field: str,
    success_url: str | None = None,
    cancel_url: str | None = None,
) -> Checkout:
    """Opens the Stripe session that pays ``payment`` and saves the payment with it; a refusal by Stripe is the
    user's to fix (``field`` names the input), and leaves nothing saved."""
    await uow.session.flush()
    try:
        session = await ctx.services.payments.create_checkout(
            payment_id=payment.id,
            item=item,
            price=Money(payment.amount, payment.currency),
            product=product[:MAX_PRODUCT_NAME],
            success_url=success_url or ctx.settings.payment_return_url("paid"),
            cancel_url=cancel_url or ctx.settings.payment_return_url("cancelled"),
            request_key=ctx.idempotency_key,
        )
    except PaymentRefused as refused:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Stripe cannot take this payment: {refused}", [field]) from refused
    payment.stripe_checkout_session_id = session.id
    payment.checkout_url, payment.checkout_expires_at = session.url, session.expires_at
    uow.session.add(payment)
    return Checkout(payment, payment.checkout_url)


def settle(uow: UnitOfWork, payment: Payment, session: dict[str, Any], earner_id: UUID, fee_percent: Decimal) -> None:
    """The paid session's payment SUCCEEDED and the earner's share recorded; ``DomainError`` when Stripe charged
    anything but the price, or the payment settled already (nothing is changed then)."""
    rules.check_charge(Money(payment.amount, payment.currency), session.get("amount_total"), session.get("currency"))
    status = rules.move_payment(payment.status, PaymentStatus.SUCCEEDED)
    intent = session.get("payment_intent")
    payment.status, payment.paid_at = status, utcnow()
    payment.stripe_payment_intent_id = intent if isinstance(intent, str) else None
    share = rules.split(Money(payment.amount, payment.currency), fee_percent)
    uow.session.add(
        Earning(
            payment_id=payment.id,
            photographer_id=earner_id,
            gross=share.gross.amount,
            fee=share.fee.amount,
            net=share.net.amount,
            currency=payment.currency,
            status=EarningStatus.PENDING,
        )
    )


async def apply_refund(uow: UnitOfWork, payment: Payment, charge: dict[str, Any], what: str) -> rules.Refund | None:
    """Stripe's word on a charge's refunds, applied to its payment once: the amount recorded and the earner's share
    taken back. None when it adds nothing (a replay) or cannot apply (logged, for a person to look at in Stripe)."""
    try:
        refund = rules.refund(
            payment.status,
            Money(payment.amount, payment.currency),
            payment.refunded_amount,
            charge.get("amount"),
            charge.get("currency"),
            charge.get("amount_refunded"),
        )
    except DomainError as refused:
        log.error("Stripe charge %s of %s cannot be refunded here (%s)", charge.get("id"), what, refused)
        return None
    if refund is None:
        return None
    await take_back_share(uow, payment.id, Money(refund.added, payment.currency))
    payment.status, payment.refunded_amount = refund.status, refund.refunded
    return refund


async def take_back_share(uow: UnitOfWork, payment_id: UUID, refunded: Money) -> None:
    """The photographer's share of a refund: off the sale while no payout claimed it, else a clawback."""
    earnings = await queries.payment_earnings(uow.session, payment_id)
    sale = next((row for row in earnings if row.kind is EarningKind.SALE), None)
    if sale is None:
        return
    kept = rules.Split(
        Money(sum(row.gross for row in earnings), refunded.currency),
        Money(sum(row.fee for row in earnings), refunded.currency),
        Money(sum(row.net for row in earnings), refunded.currency),
    )
    back = rules.refund_split(kept, refunded)
    if not rules.paid_out(sale.status, claimed=sale.payout_id is not None):
        sale.gross -= back.gross.amount
        sale.fee -= back.fee.amount
        sale.net -= back.net.amount
        return
    uow.session.add(
        Earning(
            payment_id=payment_id,
            photographer_id=sale.photographer_id,
            kind=EarningKind.CLAWBACK,
            gross=-back.gross.amount,
            fee=-back.fee.amount,
            net=-back.net.amount,
            currency=sale.currency,
            status=EarningStatus.PENDING,
        )
    )


def log_unsettled(session: dict[str, Any], payment: Payment, refused: DomainError) -> None:
    log.error(
        "Stripe checkout session %s was paid, but payment %s cannot complete (%s): check it in the Stripe "
        "dashboard, a refund may be due",
        session["id"],
        payment.id,
        refused.message,
    )
