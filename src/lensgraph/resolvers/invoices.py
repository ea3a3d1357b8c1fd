"""Studio invoices: drafts, sending (a mailed link), voiding, the client's payments in part through the checkout, the
overdue sweep's counterpart on payment, and the studio dashboard.

Everything that changes an invoice's money holds the invoice row first (``persistence.invoices.hold_invoice``):
opening a checkout, applying a completed payment, voiding. So what open checkouts reserve plus what is paid never
passes the total, and two payments completing at once are added one after the other.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from lensgraph.adapters.payments import PaidItem
from lensgraph.adapters.tokens import digest
from lensgraph.config import Settings
from lensgraph.domain import invoices as rules
from lensgraph.domain import payments as payment_rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import InvoicePaid, InvoiceSent
from lensgraph.domain.invoices import Discount, InvoiceStatus, Line
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.payments import PaymentStatus
from lensgraph.domain.policies import can_view_studio_record
from lensgraph.persistence import invoices as queries
from lensgraph.persistence import payments as payment_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Client, Invoice, Payment, User
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import checkout
from lensgraph.resolvers.checkout import Checkout
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.purchases import return_url
from lensgraph.resolvers.studio import own_client, require_studio

log = logging.getLogger(__name__)

NOT_FOUND = "No such invoice of yours."
# The public view answers the same for a wrong token and a voided link: nothing tells them apart.
NO_LINK = "This invoice link is not valid."


@dataclass(frozen=True)
class Draft:
    """What a draft's author gives; None leaves a field as it is (on update)."""

    lines: Sequence[Line] | None = None
    tax_rate_basis_points: int | None = None
    discount: Discount | None = None
    due_date: date | None = None
    currency: Currency | None = None
    notes: str | None = None


def _write(invoice: Invoice, draft: Draft) -> None:
    """Checks and copies the draft's fields, then the totals of the whole (nothing is written if any is bad)."""
    lines = rules.clean_lines(draft.lines) if draft.lines is not None else [_line(item) for item in invoice.lines]
    tax = rules.check_tax_rate(draft.tax_rate_basis_points) if draft.tax_rate_basis_points is not None else None
    tax = invoice.tax_rate_basis_points if tax is None else tax
    discount = draft.discount or Discount(invoice.discount_kind, invoice.discount_value)
    totals = rules.totals(lines, discount, tax)
    notes = rules.clean_notes(draft.notes) if draft.notes is not None else invoice.notes
    invoice.lines = [
        {"description": line.description, "quantity": line.quantity, "unit_amount": line.unit_amount} for line in lines
    ]
    invoice.tax_rate_basis_points, invoice.notes = tax, notes
    invoice.discount_kind, invoice.discount_value = discount.kind, discount.value
    invoice.subtotal, invoice.discount_amount = totals.subtotal, totals.discount
    invoice.tax_amount, invoice.total = totals.tax, totals.total
    if draft.due_date is not None:
        invoice.due_date = draft.due_date
    if draft.currency is not None:
        invoice.currency = draft.currency


def _line(stored: dict[str, Any]) -> Line:
    return Line(str(stored["description"]), int(stored["quantity"]), int(stored["unit_amount"]))


def lines_of(invoice: Invoice) -> list[Line]:
    return [_line(item) for item in invoice.lines]


async def create_invoice(ctx: Context, client_id: UUID, draft: Draft) -> Invoice:
    """A DRAFT invoice for one of the studio's clients."""
    if draft.lines is None or draft.due_date is None or draft.currency is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the lines, a due date and a currency.", ["lines"])
    async with ctx.db.unit_of_work() as uow:
        client = await own_client(ctx, uow, client_id, "clientId")
        invoice = Invoice(
            studio_id=client.studio_id,
            client_id=client.id,
            lines=[],
            tax_rate_basis_points=0,
            discount_kind=rules.DiscountKind.NONE,
            discount_value=0,
            notes="",
            amount_paid=0,
            status=InvoiceStatus.DRAFT,
        )
        _write(invoice, draft)
        uow.session.add(invoice)
    return invoice


async def _own_invoice(ctx: Context, uow: UnitOfWork, invoice_id: UUID, version: int | None) -> Invoice:
    """The caller's invoice, held for this transaction; another studio's reads as not found, a stale version is
    CONFLICT."""
    viewer = require_studio(ctx)
    await queries.hold_invoice(uow.session, invoice_id)
    invoice = await uow.session.get(Invoice, invoice_id)
    if invoice is None or not can_view_studio_record(viewer, invoice.studio_id):
        raise DomainError(ErrorCode.NOT_FOUND, NOT_FOUND, ["id"])
    if version is not None and version != invoice.version:
        raise DomainError(ErrorCode.CONFLICT, "This invoice changed since you read it: load it again.", ["version"])
    return invoice


async def update_invoice(ctx: Context, invoice_id: UUID, version: int | None, draft: Draft) -> Invoice:
    """Changes a DRAFT; a sent invoice is what the client was sent, so it is INVALID_TRANSITION."""
    async with ctx.db.unit_of_work() as uow:
        invoice = await _own_invoice(ctx, uow, invoice_id, version)
        rules.check_editable(invoice.status)
        _write(invoice, draft)
    return invoice


async def send_invoice(ctx: Context, invoice_id: UUID, version: int | None) -> Invoice:
    """DRAFT -> SENT; the worker then mails the client the link (``jobs.invoices``), after the commit."""
    async with ctx.db.unit_of_work() as uow:
        invoice = await _own_invoice(ctx, uow, invoice_id, version)
        client = await uow.session.get(Client, invoice.client_id)
        assert client is not None  # invoices cascade with their client
        status = rules.move(invoice.status, InvoiceStatus.SENT)
        rules.check_sendable(invoice.total, client.emails)
        invoice.status, invoice.sent_at = status, utcnow()
        uow.emit(InvoiceSent(invoice_id=invoice.id))
    return invoice


async def void_invoice(ctx: Context, invoice_id: UUID, version: int | None) -> Invoice:
    """Cancels an unpaid invoice for good; its link then shows it VOID and takes no payment."""
    async with ctx.db.unit_of_work() as uow:
        invoice = await _own_invoice(ctx, uow, invoice_id, version)
        now = utcnow()
        open_checkout = any(
            row.checkout_expires_at > now for row in await queries.pending_payments(uow.session, invoice.id)
        )
        invoice.status = rules.check_voidable(invoice.status, invoice.amount_paid, open_checkout)
    return invoice


async def list_invoices(ctx: Context, page: PageRequest, status: InvoiceStatus | None) -> Page[Invoice]:
    viewer = require_studio(ctx)
    query = queries.invoices_of(viewer.user_id, status)
    return await paginate(ctx.reads, query, [Invoice.created_at, Invoice.id], page, descending=True)


async def invoice_by_id(ctx: Context, invoice_id: UUID) -> Invoice | None:
    invoice = await ctx.loaders.invoice.load(invoice_id)
    return invoice if invoice and can_view_studio_record(ctx.viewer, invoice.studio_id) else None


async def invoices_of_client(ctx: Context, client: Client) -> list[Invoice]:
    return await ctx.loaders.invoices_by_client.load(client.id)


async def payments_of_invoice(ctx: Context, invoice: Invoice) -> list[Payment]:
    return await ctx.loaders.payments_by_invoice.load(invoice.id)


# The client's side: the link, and paying -------------------------------------------------------------


async def invoice_by_token(ctx: Context, token: str) -> Invoice | None:
    """The invoice a mailed link opens, for anyone holding it; None for a token that opens nothing."""
    async with ctx.db.session() as session:
        return await queries.invoice_by_digest(session, digest(token))


async def studio_name(ctx: Context, invoice: Invoice) -> str:
    studio = await ctx.loaders.user.load(invoice.studio_id)
    return f"{studio.first_name} {studio.last_name}".strip() if isinstance(studio, User) else ""


@dataclass(frozen=True)
class InvoiceCheckout:
    invoice: Invoice
    checkout: Checkout


async def pay_invoice(
    ctx: Context, token: str, amount: int | None, success_url: str | None, cancel_url: str | None
) -> InvoiceCheckout:
    """Opens a checkout for ``amount`` (all that is left when not given) of the invoice the link opens, or hands out
    the open one of that amount. No account is needed: the link is the client's key."""
    urls = return_url(success_url, "successUrl"), return_url(cancel_url, "cancelUrl")
    found = await invoice_by_token(ctx, token)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, NO_LINK, ["token"])
    async with ctx.db.unit_of_work() as uow:
        # Held for the whole call, Stripe's included: of two payments started at once, the second sees the first's
        # checkout and what it reserves.
        await queries.hold_invoice(uow.session, found.id)
        invoice = await uow.session.get(Invoice, found.id)
        if invoice is None or invoice.view_token_digest != digest(token):
            raise DomainError(ErrorCode.NOT_FOUND, NO_LINK, ["token"])
        now = utcnow()
        still_open = []
        for pending in await queries.pending_payments(uow.session, invoice.id):
            if pending.checkout_expires_at <= now:
                # Stripe closed it and the event saying so never came: it reserves nothing any more.
                pending.status = payment_rules.move_payment(pending.status, PaymentStatus.FAILED)
            else:
                still_open.append(pending)
        reserved = sum(row.amount for row in still_open)
        rest = invoice.total - invoice.amount_paid - reserved
        # "All that is left" with nothing left: the checkout opened last covers it. Otherwise the same amount asked
        # again is a second click on "pay": the open checkout of that amount, not a second one.
        for row in reversed(still_open):
            again = rest <= 0 if amount is None else row.amount == amount
            reusable = payment_rules.checkout_reusable(row.status, row.checkout_expires_at, now)
            if again and reusable and invoice.status in rules.OPEN:
                return InvoiceCheckout(invoice, Checkout(row, row.checkout_url))
        paying = rest if amount is None else amount
        rules.check_payable(invoice.status, invoice.total, invoice.amount_paid, reserved, paying)
        payment = Payment(
            id=ctx.new_id("payment"),
            invoice_id=invoice.id,
            brand_id=None,  # the client has no account: the invoice names them
            amount=paying,
            currency=invoice.currency,
            status=PaymentStatus.PENDING,
        )
        name = await studio_name(ctx, invoice)
        opened = await checkout.open_checkout(
            ctx,
            uow,
            payment,
            PaidItem("invoice", invoice.id),
            product=f"Invoice from {name}" if name else "Invoice",
            field="token",
            success_url=urls[0],
            cancel_url=urls[1],
        )
    return InvoiceCheckout(invoice, opened)


async def invoice_refunded(uow: UnitOfWork, charge: dict[str, Any], intent: str) -> bool:
    """A refund of an invoice payment (from the Stripe dashboard), in full or in part: the amount recorded on the
    payment and the studio's share given back (off its earning, or clawed back from its next payout). The invoice
    keeps what it says was paid and its status, as an invoice does once a credit is given against it; its
    ``refunded`` amount shows the money given back. Held by the caller (``hold_invoice_of_intent``)."""
    payment = await payment_queries.payment_for_intent(uow.session, intent)
    if payment is None or payment.invoice_id is None:
        return False
    return await checkout.apply_refund(uow, payment, charge, f"invoice {payment.invoice_id}") is not None


async def invoice_paid(uow: UnitOfWork, session: dict[str, Any], settings: Settings) -> bool:
    """A completed checkout's amount added to what is paid, the studio's earning, and, when nothing is left, the
    invoice PAID with invoice.paid: all or nothing. The invoice is held by the caller (``hold_invoice_of_checkout``),
    and the payment moves from PENDING once, so a replay or a second delivery adds nothing."""
    payment = await payment_queries.payment_for_checkout(uow.session, session["id"])
    if payment is None or payment.invoice_id is None:
        return False
    invoice = await uow.session.get(Invoice, payment.invoice_id)
    assert invoice is not None  # payments cascade with their invoice
    try:
        applied = rules.apply_payment(invoice.status, invoice.total, invoice.amount_paid, payment.amount)
        checkout.settle(uow, payment, session, invoice.studio_id, settings.platform_fee_percent)
    except DomainError as refused:
        checkout.log_unsettled(session, payment, refused)
        return False
    invoice.amount_paid, invoice.status = applied.paid, applied.status
    if applied.fully_paid:
        invoice.paid_at = payment.paid_at
        uow.emit(
            InvoicePaid(
                invoice_id=invoice.id,
                amount=invoice.total,
                currency=invoice.currency.value,
                audience=(invoice.studio_id,),
            )
        )
    return True


# The dashboard ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudioDashboard:
    start: datetime
    until: datetime
    revenue: list[Money]
    outstanding: list[Money]
    bookings: int
    leads: int
    converted: int

    @property
    def conversion_rate(self) -> float | None:
        return rules.conversion_rate(self.leads, self.converted)


def _amounts(by_currency: dict[Currency, int]) -> list[Money]:
    return [Money(amount, currency) for currency, amount in sorted(by_currency.items(), key=lambda item: item[0].value)]


async def studio_dashboard(ctx: Context, start: datetime, until: datetime) -> StudioDashboard:
    """Revenue received and bookings in ``[start, until)``, leads created in it and how many converted; what is owed
    now. Summed by the database."""
    viewer = require_studio(ctx)
    if start >= until:
        raise DomainError(ErrorCode.INVALID_INPUT, "`from` comes before `to`.", ["from"])
    async with ctx.db.session() as session:
        figures = await queries.dashboard(session, viewer.user_id, start, until)
    return StudioDashboard(
        start=start,
        until=until,
        revenue=_amounts(figures.revenue),
        outstanding=_amounts(figures.outstanding),
        bookings=figures.bookings,
        leads=figures.leads,
        converted=figures.converted,
    )
