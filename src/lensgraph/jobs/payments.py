"""Payouts: each onboarded photographer's pending earnings go to their Stripe account, one transfer per currency.

Safe to run twice, or to die half-way. A payout row is written with the earnings it covers, in one transaction,
before its transfer is sent; the transfer carries the payout id as its idempotency key, so sending it again (a
retry, the next run picking up a payout left PENDING) returns Stripe's first transfer instead of paying twice.
"""

from __future__ import annotations

import logging
from uuid import UUID

from lensgraph.adapters.payments import PaymentGateway, PaymentRefused
from lensgraph.domain import payments as rules
from lensgraph.domain.events import PayoutPaid
from lensgraph.domain.money import Money
from lensgraph.domain.payments import PayoutStatus
from lensgraph.jobs.services import current_services
from lensgraph.persistence import payments as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import Database
from lensgraph.persistence.models import Payout, PayoutAccount

log = logging.getLogger(__name__)

MAX_FAILURE_REASON = 500


async def pay_out() -> None:
    db = current_services().database
    await _open_payouts(db)
    gateway = current_services().payments()
    try:
        async with db.session() as session:
            unsent = await queries.unsent_payouts(session)
        for payout_id in unsent:
            await _send(db, gateway, payout_id)
    finally:
        await gateway.aclose()


async def _open_payouts(db: Database) -> None:
    """One PENDING payout per photographer and currency, claiming the earnings no payout covers yet, clawbacks of
    refunds included. Never a transfer of nothing or less: a sum clawbacks bring to zero or below waits for more."""
    async with db.session() as session:
        payable = await queries.payable_earnings(session)
    for photographer_id, currency in payable:
        async with db.unit_of_work() as uow:
            payout = Payout(photographer_id=photographer_id, amount=0, currency=currency, status=PayoutStatus.PENDING)
            uow.session.add(payout)
            await uow.session.flush()
            payout.amount = await queries.claim_earnings(uow.session, payout.id, photographer_id, currency)
            if payout.amount <= 0:
                # A concurrent run claimed them first, or a clawback recorded meanwhile outweighs them.
                await queries.release_earnings(uow.session, payout.id)
                await uow.session.delete(payout)


async def _send(db: Database, gateway: PaymentGateway, payout_id: UUID) -> None:
    async with db.session() as session:
        payout = await session.get(Payout, payout_id)
        account = await session.get(PayoutAccount, payout.photographer_id) if payout else None
    if payout is None or payout.status is not PayoutStatus.PENDING or account is None:
        return
    try:
        transfer_id = await gateway.create_transfer(
            payout_id=payout.id, account_id=account.stripe_account_id, amount=Money(payout.amount, payout.currency)
        )
    except PaymentRefused as refused:
        await _fail(db, payout_id, str(refused))
        return
    async with db.unit_of_work() as uow:
        # Held before it is read: two runs that sent this payout's (one, idempotent) transfer record it once.
        await queries.hold_payout(uow.session, payout_id)
        row = await uow.session.get(Payout, payout_id)
        if row is None or row.status is not PayoutStatus.PENDING:
            return  # another worker recorded this very transfer first
        row.status = rules.move_payout(row.status, PayoutStatus.PAID)
        row.stripe_transfer_id, row.paid_at = transfer_id, utcnow()
        await queries.settle_earnings(uow.session, row.id)
        uow.emit(
            PayoutPaid(
                payout_id=row.id, amount=row.amount, currency=row.currency.value, audience=(row.photographer_id,)
            )
        )


async def _fail(db: Database, payout_id: UUID, reason: str) -> None:
    """Stripe refused the transfer: nothing was sent, so its earnings go back to be paid by a later payout."""
    log.warning("payout %s refused by Stripe: %s", payout_id, reason)
    async with db.unit_of_work() as uow:
        await queries.hold_payout(uow.session, payout_id)
        row = await uow.session.get(Payout, payout_id)
        if row is None or row.status is not PayoutStatus.PENDING:
            return
        row.status = rules.move_payout(row.status, PayoutStatus.FAILED)
        row.failure_reason = reason[:MAX_FAILURE_REASON]
        await queries.release_earnings(uow.session, row.id)
