"""Refunds asked through the API: by an administrator, or by the photographer paid, within 14 days of payment.

The refund goes to Stripe (or the offline payment mode), which answers the charge as it then stands; that charge is
applied as Stripe's own ``charge.refunded`` event would be, by the very function the webhook runs
(``payments.process_event``): the license, the payment's refunded amount and the earning's claw-back follow as for a
refund made in Stripe's dashboard. Stripe's event arriving later adds nothing (it states a total already recorded).
"""

from __future__ import annotations

from uuid import UUID

from lensgraph.adapters.payments import PaymentRefused, ProviderEvent
from lensgraph.domain import payments as rules
from lensgraph.domain.audit import AuditAction
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.money import Money
from lensgraph.domain.payments import PAYEE_REFUND_WINDOW
from lensgraph.domain.policies import can_refund_payment
from lensgraph.persistence import payments as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Payment
from lensgraph.resolvers import audit
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.payments import process_event

REASON_MAX = 500


async def refund_payment(ctx: Context, payment_id: UUID, amount: Money | None, reason: str | None) -> Payment:
    """Refunds ``amount`` of a license's payment (all that is left when None); answers the payment after it."""
    viewer = ctx.require_viewer()
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DomainError(ErrorCode.INVALID_INPUT, f"A reason has at most {REASON_MAX} characters.", ["reason"])
    async with ctx.db.session() as session:
        found = await queries.payment_sale(session, payment_id)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such payment.", ["paymentId"])
    payment, license_row = found
    now = utcnow()
    if not can_refund_payment(viewer, license_row.photographer_id, payment.paid_at, now):
        if viewer.user_id == license_row.photographer_id:
            raise forbidden(
                f"You could agree to refund this sale for {PAYEE_REFUND_WINDOW.days} days after its payment; that "
                "time is over: ask an administrator."
            )
        raise forbidden("Only an administrator, or the photographer paid (within 14 days), refunds a payment.")
    price = Money(payment.amount, payment.currency)
    asked = rules.refund_request(payment.status, price, max(payment.refunded_amount, payment.refund_requested), amount)
    if payment.stripe_payment_intent_id is None:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, "This payment has no charge at Stripe to refund.", ["paymentId"]
        )
    async with ctx.db.unit_of_work() as uow:
        total = await queries.reserve_refund(uow.session, payment.id, asked.amount)
    if total is None:
        # Another refund took part of it meanwhile: say what is left now.
        async with ctx.db.session() as session:
            fresh = await session.get(Payment, payment.id)
        assert fresh is not None
        rules.refund_request(fresh.status, price, max(fresh.refunded_amount, fresh.refund_requested), asked)
        raise DomainError(ErrorCode.REFUND_EXCEEDS_PAYMENT, "Less than this is left to refund.", ["amount"])
    try:
        charge = await ctx.services.payments.create_refund(
            payment_id=payment.id,
            payment_intent=payment.stripe_payment_intent_id,
            charged=price,
            amount=asked,
            refunded_total=total,
            reason=reason,
            request_key=ctx.idempotency_key,
        )
    except BaseException as failed:
        async with ctx.db.unit_of_work() as uow:
            await queries.release_refund(uow.session, payment.id, asked.amount)
        if isinstance(failed, PaymentRefused):
            raise DomainError(ErrorCode.INVALID_INPUT, f"Stripe refused the refund: {failed}", ["paymentId"]) from None
        raise
    # What Stripe's charge.refunded would do, by the function that does it for Stripe's own event.
    await process_event(ctx.services, ProviderEvent(f"evt_refund_{payment.id.hex}_{total}", "charge.refunded", charge))
    # Its own transaction: the refund is Stripe's (and charge.refunded's) already, whatever happens here.
    await audit.record(
        ctx,
        AuditAction.PAYMENT_REFUNDED,
        uow=None,
        subject_id=payment.brand_id,
        target=("Payment", payment.id),
        details={"amount": asked.formatted(), "reason": reason[:200]},
    )
    async with ctx.db.session() as session:
        refunded = await session.get(Payment, payment.id)
    assert refunded is not None
    return refunded
