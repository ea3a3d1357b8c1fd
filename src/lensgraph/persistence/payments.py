"""Queries for payments, earnings, payouts and payout accounts, and which photos a brand has paid to use."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import orjson
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.licensing import LicenseStatus
from lensgraph.domain.money import Currency
from lensgraph.domain.payments import (
    EarningKind,
    EarningStatus,
    EarningTotal,
    PaymentDirection,
    PaymentStatus,
    PayoutStatus,
)
from lensgraph.persistence.base import UTCMonth, grouped, take_write_lock, utcnow
from lensgraph.persistence.models import Earning, License, Payment, Payout, PayoutAccount

# Files made on request from kept rows (no column names them): removed when a party's account is deleted, and
# made again, from the pseudonymised rows, if asked for later.


def licensed_copy_key(license_id: UUID) -> str:
    """The brand's licensed copy of a license's photo."""
    return f"licenses/{license_id}/licensed.jpg"


def receipt_folder(payment_id: UUID) -> str:
    """A payment's documents: its receipts and statements, one file per content they have had."""
    return f"receipts/{payment_id}"


def receipt_key(payment_id: UUID, direction: PaymentDirection, title: str, blocks: Sequence[tuple[str, str]]) -> str:
    """A payment's receipt (PAID, the payer's) or statement (RECEIVED, the payee's), named by what it says: a read
    renders it only when that text has not been rendered yet (a refund or a payout changes it)."""
    fingerprint = hashlib.sha256(orjson.dumps([title, blocks])).hexdigest()[:32]
    return f"{receipt_folder(payment_id)}/{direction.value.lower()}-{fingerprint}.pdf"


def _licenses_of(user_id: UUID) -> Select[UUID]:
    return select(License.id).where(or_(License.brand_id == user_id, License.photographer_id == user_id))


async def derived_keys(session: AsyncSession, user_id: UUID) -> list[str]:
    """The licensed copies of the licenses the user is a party to."""
    return [licensed_copy_key(license_id) for license_id in await session.scalars(_licenses_of(user_id))]


async def derived_folders(session: AsyncSession, user_id: UUID) -> list[str]:
    """The receipt folders of the payments for the licenses the user is a party to."""
    paid = await session.scalars(select(Payment.id).where(Payment.license_id.in_(_licenses_of(user_id))))
    return [receipt_folder(payment_id) for payment_id in paid]


# Payments -----------------------------------------------------------------------------------------


def payments_of(brand_id: UUID) -> Select[Payment]:
    """The brand's license payments (a marketplace purchase's payment is shown as its ``Purchase``)."""
    return select(Payment).where(Payment.brand_id == brand_id, Payment.license_id.is_not(None))


def payments_received_by(photographer_id: UUID) -> Select[Payment]:
    """Payments for the photographer's licenses, whoever paid (through the license: ``ix_payments_license``)."""
    licensed = select(License.id).where(License.photographer_id == photographer_id)
    return select(Payment).where(Payment.license_id.in_(licensed))


async def sales_of_payments(session: AsyncSession, payment_ids: Sequence[UUID]) -> list[Earning | None]:
    """Each payment's SALE earning (its fee, the photographer's share and the payout that took it), or None."""
    query = select(Earning).where(Earning.payment_id.in_(payment_ids), Earning.kind == EarningKind.SALE)
    by_payment = {row.payment_id: row for row in await session.scalars(query)}
    return [by_payment.get(payment_id) for payment_id in payment_ids]


async def earnings_of_payouts(session: AsyncSession, payout_ids: Sequence[UUID]) -> list[list[Earning]]:
    """Each payout's earnings (sales and clawbacks), oldest first, in one statement."""
    query = select(Earning).where(Earning.payout_id.in_(payout_ids)).order_by(Earning.created_at, Earning.id)
    return grouped(((row.payout_id, row) for row in await session.scalars(query)), payout_ids)


async def hold_license(session: AsyncSession, license_id: UUID) -> bool:
    """Serialises the checkouts of a licence until this transaction ends (see ``take_write_lock``): one at a time
    looks for the open checkout and, finding none, opens the one Stripe session. False for no such licence."""
    return await take_write_lock(session, License, License.id == license_id) > 0


async def hold_license_of_checkout(session: AsyncSession, checkout_session_id: str) -> bool:
    """``hold_license`` for the licence a checkout pays for; False when the checkout is not one of ours."""
    return await _hold_license_paid_by(session, Payment.stripe_checkout_session_id == checkout_session_id)


async def hold_license_of_intent(session: AsyncSession, payment_intent_id: str) -> bool:
    """``hold_license`` for the licence a payment intent paid for; False when it paid nothing of ours."""
    return await _hold_license_paid_by(session, Payment.stripe_payment_intent_id == payment_intent_id)


async def _hold_license_paid_by(session: AsyncSession, paid_by: ColumnElement[bool]) -> bool:
    # One statement, before the payment is loaded: a payment loaded first could be changed by the holder we wait
    # for, and the copy read after the wait would then disagree with it (a stale version, not a fresh read).
    license_key = select(Payment.license_id).where(paid_by).limit(1).scalar_subquery()
    return await take_write_lock(session, License, License.id == license_key) > 0


async def hold_payout(session: AsyncSession, payout_id: UUID) -> bool:
    """Serialises what records a payout's outcome: two runs sending it at once record it once."""
    return await take_write_lock(session, Payout, Payout.id == payout_id) > 0


async def pending_payment(session: AsyncSession, license_id: UUID) -> Payment | None:
    """The licence's open checkout; read once the licence is held (``hold_license``)."""
    query = select(Payment).where(Payment.license_id == license_id, Payment.status == PaymentStatus.PENDING)
    return await session.scalar(query)


async def payment_for_checkout(session: AsyncSession, checkout_session_id: str) -> Payment | None:
    """Read once its licence is held (``hold_license_of_checkout``), so it is the latest committed."""
    return await session.scalar(select(Payment).where(Payment.stripe_checkout_session_id == checkout_session_id))


async def payment_for_intent(session: AsyncSession, payment_intent_id: str) -> Payment | None:
    """The payment Stripe charged through this payment intent (set when its checkout was paid)."""
    return await session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == payment_intent_id))


def in_force(now: datetime) -> ColumnElement[bool]:
    """A paid license that has not ended."""
    return and_(License.status == LicenseStatus.ACTIVE, or_(License.ends_at.is_(None), License.ends_at > now))


async def licensed_photos(session: AsyncSession, keys: Sequence[tuple[UUID, UUID]]) -> list[bool]:
    """For each (brand, photo): whether the brand holds a paid license on the photo that is in force now."""
    rows = await session.execute(
        select(License.brand_id, License.photo_id)
        .where(tuple_(License.brand_id, License.photo_id).in_(list(keys)), in_force(utcnow()))
        .distinct()
    )
    held = {(brand_id, photo_id) for brand_id, photo_id in rows}
    return [key in held for key in keys]


# Payout accounts ----------------------------------------------------------------------------------


async def payout_accounts(session: AsyncSession, user_ids: Sequence[UUID]) -> list[PayoutAccount | None]:
    rows = await session.scalars(select(PayoutAccount).where(PayoutAccount.user_id.in_(user_ids)))
    by_user = {row.user_id: row for row in rows}
    return [by_user.get(user_id) for user_id in user_ids]


async def payout_account_by_stripe_id(session: AsyncSession, stripe_account_id: str) -> PayoutAccount | None:
    query = select(PayoutAccount).where(PayoutAccount.stripe_account_id == stripe_account_id)
    return await session.scalar(query.with_for_update())


# Earnings and payouts -----------------------------------------------------------------------------


def payouts_of(photographer_id: UUID) -> Select[Payout]:
    return select(Payout).where(Payout.photographer_id == photographer_id)


def _unclaimed() -> ColumnElement[bool]:
    return and_(Earning.status == EarningStatus.PENDING, Earning.payout_id.is_(None))


async def payable_earnings(session: AsyncSession) -> list[tuple[UUID, Currency]]:
    """(photographer, currency) pairs whose earnings no payout has claimed add up to more than zero (clawbacks can
    outweigh them), and whose account can receive money."""
    rows = await session.execute(
        select(Earning.photographer_id, Earning.currency)
        .join(PayoutAccount, PayoutAccount.user_id == Earning.photographer_id)
        .where(_unclaimed(), PayoutAccount.payouts_enabled.is_(True))
        .group_by(Earning.photographer_id, Earning.currency)
        .having(func.sum(Earning.net) > 0)
    )
    return [(photographer_id, currency) for photographer_id, currency in rows]


async def claim_earnings(session: AsyncSession, payout_id: UUID, photographer_id: UUID, currency: Currency) -> int:
    """Ties the unclaimed earnings to ``payout_id``; answers their sum. A concurrent run that claimed them first
    leaves nothing for this one (the ``payout_id IS NULL`` condition is checked again on the locked rows)."""
    claimed = await session.scalars(
        update(Earning)
        .where(Earning.photographer_id == photographer_id, Earning.currency == currency, _unclaimed())
        .values(payout_id=payout_id)
        .returning(Earning.net)
    )
    return sum(claimed)


async def payment_earnings(session: AsyncSession, payment_id: UUID) -> list[Earning]:
    """The payment's sale and clawbacks, locked: a payout claiming them waits, or is waited for."""
    query = select(Earning).where(Earning.payment_id == payment_id).order_by(Earning.created_at, Earning.id)
    return list(await session.scalars(query.with_for_update()))


async def release_earnings(session: AsyncSession, payout_id: UUID) -> None:
    """A payout that failed gives its earnings back, for the next payout to claim."""
    await session.execute(update(Earning).where(Earning.payout_id == payout_id).values(payout_id=None))


async def settle_earnings(session: AsyncSession, payout_id: UUID) -> None:
    await session.execute(update(Earning).where(Earning.payout_id == payout_id).values(status=EarningStatus.PAID))


async def unsent_payouts(session: AsyncSession) -> list[UUID]:
    """Payouts created but not yet confirmed sent: this run's, and any a crashed run left behind, oldest first."""
    query = select(Payout.id).where(Payout.status == PayoutStatus.PENDING).order_by(Payout.created_at, Payout.id)
    return list(await session.scalars(query))


async def earning_totals(session: AsyncSession, photographer_id: UUID) -> list[EarningTotal]:
    """Net earnings summed per currency, status and month, in one statement."""
    month = UTCMonth(Earning.created_at)
    rows = await session.execute(
        select(Earning.currency, Earning.status, month, func.sum(Earning.net))
        .where(Earning.photographer_id == photographer_id)
        .group_by(Earning.currency, Earning.status, month)
    )
    return [EarningTotal(currency, status, str(month), int(net)) for currency, status, month, net in rows]


def _refund_taken() -> ColumnElement[int]:
    """What a payment has refunded or asked of Stripe already: the larger of the two (a refund made in Stripe's
    dashboard raises only ``refunded_amount``; one asked through the API raises ``refund_requested`` first)."""
    return case(
        (Payment.refund_requested > Payment.refunded_amount, Payment.refund_requested),
        else_=Payment.refunded_amount,
    )


async def reserve_refund(session: AsyncSession, payment_id: UUID, amount: int) -> int | None:
    """Asks ``amount`` more of the payment back: one conditional UPDATE, so two refunds at once never ask for more
    than the payment. Answers what is then asked in all, or None when that would exceed the payment."""
    taken = _refund_taken()
    result = await session.execute(
        update(Payment)
        .where(Payment.id == payment_id, taken + amount <= Payment.amount)
        .values(refund_requested=taken + amount)
        .returning(Payment.refund_requested)
        .execution_options(synchronize_session=False)
    )
    total = result.scalar_one_or_none()
    return None if total is None else int(total)


async def release_refund(session: AsyncSession, payment_id: UUID, amount: int) -> None:
    """Gives a reservation back when Stripe refused the refund or could not be reached."""
    await session.execute(
        update(Payment)
        .where(Payment.id == payment_id)
        .values(refund_requested=Payment.refund_requested - amount)
        .execution_options(synchronize_session=False)
    )


async def payment_sale(session: AsyncSession, payment_id: UUID) -> tuple[Payment, License] | None:
    """A license's payment with its license: what a refund through the API is asked of."""
    row = (
        await session.execute(
            select(Payment, License).join(License, License.id == Payment.license_id).where(Payment.id == payment_id)
        )
    ).first()
    return (row[0], row[1]) if row else None
