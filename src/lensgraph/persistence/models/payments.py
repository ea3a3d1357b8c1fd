"""Money records: license payments, the photographers' earnings, payouts, their Stripe accounts, Stripe events seen."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.money import Currency
from lensgraph.domain.payments import EarningKind, EarningStatus, PaymentStatus, PayoutStatus
from lensgraph.persistence.base import Base, Entity, utcnow

# Stripe ids are "at most 255 characters" in its API reference.
STRIPE_ID = String(255)


# What a payment pays for: exactly one of these.
PAYS_FOR_ONE = (
    "(CASE WHEN license_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN purchase_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN invoice_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN print_order_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def _currency() -> Enum:
    return Enum(Currency, name="currency", native_enum=False, length=3)


class Payment(Entity):
    """Paying through one Stripe Checkout Session for one thing: a brand's license, a marketplace purchase, (part of)
    a studio's invoice, or a gallery client's print order."""

    __tablename__ = "payments"

    # What it pays for: exactly one of these (PAYS_FOR_ONE).
    license_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("licenses.id", ondelete="CASCADE"))
    purchase_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("purchases.id", ondelete="CASCADE"))
    # RESTRICT: money received is never deleted with an invoice (nor with the client it was for).
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    print_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("print_orders.id", ondelete="CASCADE"))
    # Who pays: the brand of a license, the buyer of a purchase; None for a studio's client paying an invoice or a
    # print order (no account: the invoice and the order name them).
    brand_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[Currency] = mapped_column(_currency())
    status: Mapped[PaymentStatus] = mapped_column(
        Enum(PaymentStatus, name="payment_status", native_enum=False, length=12)
    )
    stripe_checkout_session_id: Mapped[str] = mapped_column(STRIPE_ID, unique=True)
    # Handed out again while the session is open, rather than opening a second one.
    checkout_url: Mapped[str] = mapped_column(String(2000))
    checkout_expires_at: Mapped[datetime]
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(STRIPE_ID)
    paid_at: Mapped[datetime | None]
    # Given back to the brand so far, as Stripe's last charge.refunded said: 0 to ``amount`` (then REFUNDED).
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    # Asked of Stripe through refundPayment so far, raised by a conditional UPDATE before Stripe is called: with
    # ``refunded_amount``, what caps the next refund, so two refunds at once never ask for more than the amount.
    refund_requested: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_payments_brand_created", "brand_id", "created_at", "id"),
        # At most one open checkout per license: two brands' clicks at once cannot both open one.
        Index(
            "uq_payments_license_pending",
            "license_id",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_payments_license", "license_id"),
        # At most one open checkout per purchase, as per license.
        Index(
            "uq_payments_purchase_pending",
            "purchase_id",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_payments_purchase", "purchase_id"),
        # An invoice may have several checkouts open at once (payments in part), so no unique index here.
        Index("ix_payments_invoice_status", "invoice_id", "status"),
        # At most one open checkout per print order, as per license.
        Index(
            "uq_payments_print_order_pending",
            "print_order_id",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_payments_print_order", "print_order_id"),
        CheckConstraint(PAYS_FOR_ONE, name="pays_for_one"),
        # Refunds name the payment intent, not the checkout session.
        Index("ix_payments_payment_intent", "stripe_payment_intent_id"),
    )


class Earning(Entity):
    """What a photographer is owed for one payment: its price less the platform fee (the SALE; a refund takes its
    share off gross, fee and net while no payout has claimed it), or a CLAWBACK: a refund's share of a sale already
    paid out, all three negative. Per payment, they add up to what the brand still pays, split."""

    __tablename__ = "earnings"

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    kind: Mapped[EarningKind] = mapped_column(
        Enum(EarningKind, name="earning_kind", native_enum=False, length=8), default=EarningKind.SALE
    )
    photographer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    gross: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    net: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[Currency] = mapped_column(_currency())
    status: Mapped[EarningStatus] = mapped_column(
        Enum(EarningStatus, name="earning_status", native_enum=False, length=8)
    )
    # Set when a payout claims the earning, before its transfer is sent; cleared again if that payout fails.
    payout_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payouts.id", ondelete="SET NULL"))

    __table_args__ = (
        Index("ix_earnings_photographer_status", "photographer_id", "status", "currency"),
        Index("ix_earnings_payout", "payout_id"),
        Index("ix_earnings_payment", "payment_id"),
        # One sale per payment, however many clawbacks refunds add to it.
        Index(
            "uq_earnings_payment_sale",
            "payment_id",
            unique=True,
            sqlite_where=text("kind = 'SALE'"),
            postgresql_where=text("kind = 'SALE'"),
        ),
    )


class Payout(Entity):
    """One transfer of a photographer's earnings in one currency to their Stripe account."""

    __tablename__ = "payouts"

    photographer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[Currency] = mapped_column(_currency())
    status: Mapped[PayoutStatus] = mapped_column(Enum(PayoutStatus, name="payout_status", native_enum=False, length=8))
    stripe_transfer_id: Mapped[str | None] = mapped_column(STRIPE_ID, unique=True)
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    paid_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_payouts_photographer_created", "photographer_id", "created_at", "id"),
        Index("ix_payouts_status_created", "status", "created_at"),
    )


class PayoutAccount(Base):
    """A photographer's Stripe Connect Express account and what Stripe lets it do, as its last event said."""

    __tablename__ = "payout_accounts"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    stripe_account_id: Mapped[str] = mapped_column(STRIPE_ID, unique=True)
    charges_enabled: Mapped[bool] = mapped_column(default=False)
    payouts_enabled: Mapped[bool] = mapped_column(default=False)
    details_submitted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StripeEvent(Base):
    """Each Stripe event processed, written in the same transaction as its effect: a replay finds it and stops."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(STRIPE_ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Null when the event changed nothing (a type we do not handle, an object we do not know).
    processed_at: Mapped[datetime | None]
