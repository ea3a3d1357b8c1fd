"""Studio invoices: the studio's view, the client's view through the mailed link, paying, and the dashboard."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import invoices as rules
from lensgraph.domain.invoices import Discount, Line
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.money import parse_currency
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.models import Invoice as InvoiceRow
from lensgraph.resolvers import invoices
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.invoices import Draft
from lensgraph.schema.core import (
    Connection,
    Money,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.payments import PaymentStatus

if TYPE_CHECKING:
    from lensgraph.schema.studio import Client

InvoiceStatus = strawberry.enum(
    rules.InvoiceStatus,
    description="DRAFT (editable) -> SENT -> PAID | OVERDUE | VOID; OVERDUE -> PAID | VOID; a DRAFT may be voided.",
)


@strawberry.type(description="One line: quantity x unit price, exact in minor units (no rounding per line).")
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Money
    amount: Money


@strawberry.type(description="An invoice's amounts. Discount and tax are rounded once each, half up, on the invoice.")
class InvoiceAmounts:
    subtotal: Money
    discount: Money
    tax: Money
    total: Money
    paid: Money
    balance: Money = strawberry.field(description="What is left to pay.")
    tax_rate_basis_points: int = strawberry.field(description="1 basis point = 0.01 %.")
    discount_percent_basis_points: int | None = strawberry.field(description="Set for a percentage discount.")


def _amounts(row: InvoiceRow) -> InvoiceAmounts:
    def money(amount: int) -> Money:
        return Money.from_domain(DomainMoney(amount, row.currency))

    return InvoiceAmounts(
        subtotal=money(row.subtotal),
        discount=money(row.discount_amount),
        tax=money(row.tax_amount),
        total=money(row.total),
        paid=money(row.amount_paid),
        balance=money(row.total - row.amount_paid),
        tax_rate_basis_points=row.tax_rate_basis_points,
        discount_percent_basis_points=row.discount_value if row.discount_kind is rules.DiscountKind.PERCENT else None,
    )


def _lines(row: InvoiceRow) -> list[InvoiceLine]:
    return [
        InvoiceLine(
            description=line.description,
            quantity=line.quantity,
            unit_price=Money.from_domain(DomainMoney(line.unit_amount, row.currency)),
            amount=Money.from_domain(DomainMoney(line.amount, row.currency)),
        )
        for line in invoices.lines_of(row)
    ]


@strawberry.type(description="One checkout the client opened for an invoice, and whether it was paid.")
class InvoicePayment:
    amount: Money
    status: PaymentStatus  # type: ignore[valid-type]
    created_at: datetime
    paid_at: datetime | None


@node_type
@strawberry.type(description="A studio's invoice to one of its clients. Seen by that studio alone.")
class Invoice(Node):
    _row: strawberry.Private[InvoiceRow]
    status: InvoiceStatus  # type: ignore[valid-type]
    lines: list[InvoiceLine]
    amounts: InvoiceAmounts
    due_date: date
    notes: str
    sent_at: datetime | None
    paid_at: datetime | None
    version: int = strawberry.field(description="Send it back with updateInvoice and the rest: stale is CONFLICT.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: InvoiceRow) -> Invoice:
        return cls(
            _row=row,
            id=to_global_id("Invoice", row.id),
            status=row.status,
            lines=_lines(row),
            amounts=_amounts(row),
            due_date=row.due_date,
            notes=row.notes,
            sent_at=row.sent_at,
            paid_at=row.paid_at,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Invoice | None:
        row = await invoices.invoice_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(description="Money given back to the client by refunds of its payments (made in Stripe).")
    async def refunded(self, info: Info[Context, None]) -> Money:
        rows = await invoices.payments_of_invoice(info.context, self._row)
        return Money.from_domain(DomainMoney(sum(row.refunded_amount for row in rows), self._row.currency))

    @strawberry.field(description="Its checkouts, oldest first: SUCCEEDED ones add up to `amounts.paid`.")
    async def payments(self, info: Info[Context, None]) -> list[InvoicePayment]:
        return [
            InvoicePayment(
                amount=Money.from_domain(DomainMoney(row.amount, row.currency)),
                status=row.status,
                created_at=row.created_at,
                paid_at=row.paid_at,
            )
            for row in await invoices.payments_of_invoice(info.context, self._row)
        ]

    @strawberry.field
    async def client(self, info: Info[Context, None]) -> Annotated[Client, strawberry.lazy("lensgraph.schema.studio")]:
        from lensgraph.schema.studio import Client

        row = await info.context.loaders.client.load(self._row.client_id)
        assert row is not None  # invoices cascade with their client
        return Client.from_row(row)


@strawberry.type(description="An invoice as its client sees it through the mailed link: no CRM details.")
class PublicInvoice:
    status: InvoiceStatus  # type: ignore[valid-type]
    studio_name: str
    client_name: str
    lines: list[InvoiceLine]
    amounts: InvoiceAmounts
    due_date: date
    notes: str


async def _public(info: Info[Context, None], row: InvoiceRow) -> PublicInvoice:
    client = await info.context.loaders.client.load(row.client_id)
    return PublicInvoice(
        status=row.status,
        studio_name=await invoices.studio_name(info.context, row),
        client_name=client.name if client else "",
        lines=_lines(row),
        amounts=_amounts(row),
        due_date=row.due_date,
        notes=row.notes,
    )


@strawberry.type(description="A studio's figures over [from, to): money per currency, alphabetical.")
class StudioDashboard:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    revenue: list[Money] = strawberry.field(
        description="Invoice payments received in the period, less what was refunded of them."
    )
    outstanding: list[Money] = strawberry.field(description="What SENT and OVERDUE invoices still owe, as of now.")
    bookings: int = strawberry.field(description="Confirmed bookings starting in the period.")
    leads_created: int = strawberry.field(description="Clients created in the period.")
    leads_converted: int = strawberry.field(description="Of those, the ones now BOOKED, ACTIVE or PAST.")
    conversion_rate: float | None = strawberry.field(description="converted / created; null without leads.")


@strawberry.input
class InvoiceFilter:
    status: InvoiceStatus | None = None  # type: ignore[valid-type]


@strawberry.type
class ViewerInvoices:
    """Fields of ``Viewer`` about the studio's invoices and figures."""

    @strawberry.field(description="Studios: your invoices, newest first.")
    async def invoices(
        self,
        info: Info[Context, None],
        filter: InvoiceFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Invoice]:
        status = filter.status if filter else None
        page = await invoices.list_invoices(info.context, page_request(first, after, last, before), status)
        return Connection[Invoice].from_page(page, Invoice.from_row)

    @strawberry.field(description="Studios: revenue, what is owed, bookings and lead conversion over [from, to).")
    async def studio_dashboard(
        self,
        info: Info[Context, None],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> StudioDashboard:
        figures = await invoices.studio_dashboard(info.context, from_, to)
        return StudioDashboard(
            from_=figures.start,
            to=figures.until,
            revenue=[Money.from_domain(item) for item in figures.revenue],
            outstanding=[Money.from_domain(item) for item in figures.outstanding],
            bookings=figures.bookings,
            leads_created=figures.leads,
            leads_converted=figures.converted,
            conversion_rate=figures.conversion_rate,
        )


@strawberry.type
class InvoiceQueries:
    @strawberry.field(description="Public: the invoice a mailed link's token opens; null for a token that opens none.")
    async def invoice(self, info: Info[Context, None], token: str) -> PublicInvoice | None:
        row = await invoices.invoice_by_token(info.context, token)
        return await _public(info, row) if row else None


# Inputs and payloads ---------------------------------------------------------------------------


@strawberry.input
class InvoiceLineInput:
    description: str
    quantity: int = strawberry.field(description="A whole number, 1 or more.")
    unit_amount: int = strawberry.field(description="The unit price in minor units of the invoice's currency, >= 0.")


@strawberry.input(description="At most one of the two.")
class InvoiceDiscountInput:
    percent_basis_points: int | None = strawberry.field(default=None, description="0-10000: 1000 is 10 %.")
    amount: int | None = strawberry.field(default=None, description="Minor units off the subtotal.")


def _draft(
    lines: list[InvoiceLineInput] | None,
    tax_rate_basis_points: int | None,
    discount: InvoiceDiscountInput | None,
    due_date: date | None,
    currency: str | None,
    notes: str | None,
) -> Draft:
    chosen: Discount | None = None
    if discount is not None:
        chosen = rules.clean_discount(discount.percent_basis_points, discount.amount)
    return Draft(
        lines=[Line(item.description, item.quantity, item.unit_amount) for item in lines]
        if lines is not None
        else None,
        tax_rate_basis_points=tax_rate_basis_points,
        discount=chosen,
        due_date=due_date,
        currency=parse_currency(currency) if currency is not None else None,
        notes=notes,
    )


@strawberry.input
class CreateInvoiceInput:
    client_id: strawberry.ID
    lines: list[InvoiceLineInput]
    currency: str = strawberry.field(description="ISO 4217, one of `Currency`.")
    due_date: date
    tax_rate_basis_points: int = strawberry.field(default=0, description="0-10000: 2000 is 20 %.")
    discount: InvoiceDiscountInput | None = None
    notes: str | None = None


@strawberry.input(description="DRAFT invoices only; what is given replaces what was there.")
class UpdateInvoiceInput:
    id: strawberry.ID
    version: int | None = strawberry.field(default=None, description="The version you read; stale is CONFLICT.")
    lines: list[InvoiceLineInput] | None = None
    currency: str | None = None
    due_date: date | None = None
    tax_rate_basis_points: int | None = None
    discount: InvoiceDiscountInput | None = strawberry.field(
        default=None, description="Replaces the discount; `{}` removes it."
    )
    notes: str | None = None


@strawberry.input
class InvoiceActionInput:
    id: strawberry.ID
    version: int | None = strawberry.field(default=None, description="The version you read; stale is CONFLICT.")


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PayInvoiceInput:
    token: str = strawberry.field(description="The token of the link the client was mailed.")
    amount: int | None = strawberry.field(
        default=None, description="Minor units to pay now, at most the balance; left out: all that is left."
    )
    success_url: str | None = None
    cancel_url: str | None = None


@strawberry.type
class PayInvoicePayload:
    checkout_url: str | None = None
    amount: Money | None = None
    invoice: PublicInvoice | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class InvoiceMutations:
    @strawberry.mutation(description="Studios: a DRAFT invoice for one of your clients.")
    @returns_user_errors(InvoicePayload)
    async def create_invoice(self, info: Info[Context, None], input: CreateInvoiceInput) -> InvoicePayload:
        draft = _draft(
            input.lines, input.tax_rate_basis_points, input.discount, input.due_date, input.currency, input.notes
        )
        client_id = expect_global_id(input.client_id, "Client", "clientId")
        return InvoicePayload(invoice=Invoice.from_row(await invoices.create_invoice(info.context, client_id, draft)))

    @strawberry.mutation(description="Studios: change a DRAFT invoice.")
    @returns_user_errors(InvoicePayload)
    async def update_invoice(self, info: Info[Context, None], input: UpdateInvoiceInput) -> InvoicePayload:
        draft = _draft(
            input.lines, input.tax_rate_basis_points, input.discount, input.due_date, input.currency, input.notes
        )
        row = await invoices.update_invoice(info.context, expect_global_id(input.id, "Invoice"), input.version, draft)
        return InvoicePayload(invoice=Invoice.from_row(row))

    @strawberry.mutation(description="Studios: DRAFT -> SENT; the client is mailed a link to see and pay it.")
    @returns_user_errors(InvoicePayload)
    async def send_invoice(self, info: Info[Context, None], input: InvoiceActionInput) -> InvoicePayload:
        row = await invoices.send_invoice(info.context, expect_global_id(input.id, "Invoice"), input.version)
        return InvoicePayload(invoice=Invoice.from_row(row))

    @strawberry.mutation(description="Studios: cancel an invoice with nothing paid on it, for good.")
    @returns_user_errors(InvoicePayload)
    async def void_invoice(self, info: Info[Context, None], input: InvoiceActionInput) -> InvoicePayload:
        row = await invoices.void_invoice(info.context, expect_global_id(input.id, "Invoice"), input.version)
        return InvoicePayload(invoice=Invoice.from_row(row))

    @strawberry.mutation(description="Public, with the mailed token: a checkout for all or part of the balance.")
    @returns_user_errors(PayInvoicePayload)
    async def pay_invoice(self, info: Info[Context, None], input: PayInvoiceInput) -> PayInvoicePayload:
        opened = await invoices.pay_invoice(
            info.context, input.token, input.amount, input.success_url, input.cancel_url
        )
        payment = opened.checkout.payment
        return PayInvoicePayload(
            checkout_url=opened.checkout.url,
            amount=Money.from_domain(DomainMoney(payment.amount, payment.currency)),
            invoice=await _public(info, opened.invoice),
        )
