"""Queries for invoices: the studio's list, a client's invoices and galleries, the invoice a checkout pays, what open
checkouts hold back, the overdue sweep, and the studio dashboard's sums."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.invoices import OPEN, InvoiceStatus
from lensgraph.domain.money import Currency
from lensgraph.domain.payments import PaymentStatus
from lensgraph.domain.studio import BookingStatus, LeadStatus
from lensgraph.persistence.base import grouped, take_write_lock
from lensgraph.persistence.models import Booking, Client, Gallery, Invoice, Payment

SWEEP_BATCH = 200
# Leads that became the studio's clients: booked, working with it, or done with it.
CONVERTED = (LeadStatus.BOOKED, LeadStatus.ACTIVE, LeadStatus.PAST)


def invoices_of(studio_id: UUID, status: InvoiceStatus | None) -> Select[Invoice]:
    query = select(Invoice).where(Invoice.studio_id == studio_id)
    return query if status is None else query.where(Invoice.status == status)


async def invoices_of_clients(session: AsyncSession, client_ids: Sequence[UUID]) -> list[list[Invoice]]:
    """Loader batch: each client's invoices, newest first, in one statement."""
    rows = await session.scalars(
        select(Invoice).where(Invoice.client_id.in_(client_ids)).order_by(Invoice.created_at.desc(), Invoice.id)
    )
    return grouped(((row.client_id, row) for row in rows), client_ids)


async def payments_of_invoices(session: AsyncSession, invoice_ids: Sequence[UUID]) -> list[list[Payment]]:
    """Loader batch: each invoice's checkouts and payments, oldest first, in one statement."""
    rows = await session.scalars(
        select(Payment).where(Payment.invoice_id.in_(invoice_ids)).order_by(Payment.created_at, Payment.id)
    )
    return grouped(((row.invoice_id, row) for row in rows), invoice_ids)


async def hold_invoice(session: AsyncSession, invoice_id: UUID) -> bool:
    """Serialises what changes an invoice's money (checkouts opened, payments applied, voiding) until the transaction
    ends (``take_write_lock``); False for no such invoice."""
    return await take_write_lock(session, Invoice, Invoice.id == invoice_id) > 0


async def hold_invoice_of_checkout(session: AsyncSession, checkout_session_id: str) -> bool:
    """``hold_invoice`` for the invoice a checkout pays, in one statement before the payment is read (as
    ``payments.hold_license_of_checkout``); False when the checkout pays no invoice."""
    key = select(Payment.invoice_id).where(Payment.stripe_checkout_session_id == checkout_session_id).limit(1)
    return await take_write_lock(session, Invoice, Invoice.id == key.scalar_subquery()) > 0


async def hold_invoice_of_intent(session: AsyncSession, payment_intent_id: str) -> bool:
    """``hold_invoice`` for the invoice a payment intent paid (a refund names the intent); False for none."""
    key = select(Payment.invoice_id).where(Payment.stripe_payment_intent_id == payment_intent_id).limit(1)
    return await take_write_lock(session, Invoice, Invoice.id == key.scalar_subquery()) > 0


async def invoice_by_digest(session: AsyncSession, digest: str) -> Invoice | None:
    return await session.scalar(select(Invoice).where(Invoice.view_token_digest == digest))


async def pending_payments(session: AsyncSession, invoice_id: UUID) -> list[Payment]:
    """The invoice's open checkouts; read once the invoice is held."""
    query = select(Payment).where(Payment.invoice_id == invoice_id, Payment.status == PaymentStatus.PENDING)
    return list(await session.scalars(query.order_by(Payment.created_at, Payment.id)))


async def mark_overdue(session: AsyncSession, today: date) -> list[tuple[UUID, UUID]]:
    """SENT invoices whose due day has ended become OVERDUE, once each: (invoice, studio) of the rows this UPDATE
    changed (the status condition is checked again on each row, so a concurrent sweep or payment wins cleanly)."""
    due = (
        select(Invoice.id)
        .where(Invoice.status == InvoiceStatus.SENT, Invoice.due_date < today)
        .order_by(Invoice.due_date)
        .limit(SWEEP_BATCH)
        .scalar_subquery()
    )
    result = await session.execute(
        update(Invoice)
        .where(Invoice.id.in_(due), Invoice.status == InvoiceStatus.SENT)
        .values(status=InvoiceStatus.OVERDUE, version=Invoice.version + 1)
        .returning(Invoice.id, Invoice.studio_id)
        .execution_options(synchronize_session=False)
    )
    return [(invoice_id, studio_id) for invoice_id, studio_id in result.all()]


async def client_has_payments(session: AsyncSession, client_id: UUID) -> bool:
    """Whether any checkout was opened for one of the client's invoices (paid, pending or not)."""
    query = select(Payment.id).join(Invoice, Invoice.id == Payment.invoice_id).where(Invoice.client_id == client_id)
    return (await session.scalar(query.limit(1))) is not None


async def sync_client_galleries(session: AsyncSession, client_id: UUID, email: str | None, name: str) -> None:
    """A linked client's galleries show the client's first address and name as they are now."""
    await session.execute(
        update(Gallery)
        .where(Gallery.client_id == client_id)
        .values(client_email=email, client_name=name, version=Gallery.version + 1)
        .execution_options(synchronize_session=False)
    )


# The dashboard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    revenue: dict[Currency, int]
    outstanding: dict[Currency, int]
    bookings: int
    leads: int
    converted: int


async def dashboard(session: AsyncSession, studio_id: UUID, start: datetime, until: datetime) -> Dashboard:
    """The studio's figures for ``[start, until)``, each one aggregate statement (no row is loaded)."""
    received = await session.execute(
        select(Payment.currency, func.sum(Payment.amount - Payment.refunded_amount))
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(
            Invoice.studio_id == studio_id,
            Payment.status.in_([PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED]),
            Payment.paid_at >= start,
            Payment.paid_at < until,
        )
        .group_by(Payment.currency)
    )
    owed = await session.execute(
        select(Invoice.currency, func.sum(Invoice.total - Invoice.amount_paid))
        .where(Invoice.studio_id == studio_id, Invoice.status.in_(list(OPEN)))
        .group_by(Invoice.currency)
    )
    bookings = await session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.studio_id == studio_id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.starts_at >= start,
            Booking.starts_at < until,
        )
    )
    leads = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((Client.status.in_(CONVERTED), 1), else_=0)), 0)).where(
                Client.studio_id == studio_id, Client.created_at >= start, Client.created_at < until
            )
        )
    ).one()
    return Dashboard(
        revenue={currency: int(amount) for currency, amount in received if amount},
        outstanding={currency: int(amount) for currency, amount in owed if amount},
        bookings=int(bookings or 0),
        leads=int(leads[0]),
        converted=int(leads[1]),
    )
