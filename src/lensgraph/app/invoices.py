"""The page an invoice's mail links to, so a studio's client can read and pay it without a front end: it shows the
invoice as `invoice(token:)` does, and its form pays as `payInvoice` does (the whole balance, or a part of it),
then sends the client on to the checkout. Opening the link changes nothing."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from lensgraph.adapters.bodies import BodyTooLarge
from lensgraph.app.accounts import read_form
from lensgraph.app.pages import PAGE_HEADERS, page
from lensgraph.app.services import Services
from lensgraph.domain.errors import DomainError
from lensgraph.domain.invoices import OPEN
from lensgraph.domain.money import Money, parse_amount
from lensgraph.persistence.models import Invoice
from lensgraph.resolvers import invoices
from lensgraph.resolvers.context import Context

INVOICE_PATH = "/invoice"
NO_INVOICE = "This link opens no invoice: it may have been mistyped, or replaced by a newer one."
ALERT = '<p role="alert" style="color:#b00020">{}</p>'


def invoice_routes(services: Services) -> list[Route]:
    async def invoice_page(request: Request) -> Response:
        ctx = Context.of_request(services, request, viewer=None)
        if request.method == "GET":
            token = request.query_params.get("token", "")
            found = await invoices.invoice_by_token(ctx, token) if token else None
            if found is None:
                return page("Invoice unavailable", f"<p>{NO_INVOICE}</p>", status_code=404)
            return await _invoice_page(ctx, found, token)
        try:
            form = await read_form(request)
        except BodyTooLarge:
            return page("Not paid", "<p>The form sent is too large.</p>", status_code=413)
        token = form.get("token", [""])[0]
        found = await invoices.invoice_by_token(ctx, token) if token else None
        if found is None:
            return page("Invoice unavailable", f"<p>{NO_INVOICE}</p>", status_code=404)
        typed = form.get("amount", [""])[0]
        try:
            amount = parse_amount(typed, found.currency) if typed.strip() else None
            paying = await invoices.pay_invoice(ctx, token, amount, None, None)
        except DomainError as refusal:
            return await _invoice_page(ctx, found, token, problem=refusal.message, typed=typed, status_code=400)
        # 303: the browser follows with a GET, to Stripe's checkout (or the offline confirm page).
        return RedirectResponse(paying.checkout.url, status_code=303, headers=PAGE_HEADERS)

    return [Route(INVOICE_PATH, invoice_page, methods=["GET", "POST"])]


async def _invoice_page(
    ctx: Context, row: Invoice, token: str, *, problem: str | None = None, typed: str = "", status_code: int = 200
) -> Response:
    def money(amount: int) -> str:
        return html.escape(Money(amount, row.currency).formatted())

    name = await invoices.studio_name(ctx, row) or "your studio"
    studio = html.escape(name)
    lines = "".join(
        f"<tr><td>{html.escape(line.description)}</td><td>{line.quantity}</td>"
        f'<td style="text-align:right">{money(line.unit_amount)}</td>'
        f'<td style="text-align:right">{money(line.amount)}</td></tr>'
        for line in invoices.lines_of(row)
    )
    balance = row.total - row.amount_paid
    sums = [("Subtotal", row.subtotal), ("Discount", -row.discount_amount), ("Tax", row.tax_amount)]
    sums += [("Total", row.total), ("Paid", row.amount_paid), ("Left to pay", balance)]
    totals = "".join(
        f'<tr><th colspan="3" style="text-align:right">{name}</th><td style="text-align:right">{money(value)}</td></tr>'
        for name, value in sums
    )
    notes = f"<p>{html.escape(row.notes)}</p>" if row.notes else ""
    body = (
        f"<h1>Invoice from {studio}</h1><p>Status: {row.status.value}. Due {row.due_date.isoformat()}.</p>"
        '<table style="width:100%;border-collapse:collapse"><tr><th style="text-align:left">Item</th><th>Qty</th>'
        f'<th style="text-align:right">Price</th><th style="text-align:right">Amount</th></tr>{lines}{totals}</table>'
        f"{notes}"
    )
    if row.status in OPEN and balance > 0:
        warning = ALERT.format(html.escape(problem)) if problem else ""
        body += (
            f'{warning}<form method="post" action="{INVOICE_PATH}">'
            f'<input type="hidden" name="token" value="{html.escape(token)}">'
            f"<p><label>Amount to pay ({row.currency.value}; empty: all that is left) "
            f'<input name="amount" inputmode="decimal" value="{html.escape(typed)}"></label></p>'
            f'<p><button type="submit">Pay</button></p></form>'
        )
    elif problem:
        body += ALERT.format(html.escape(problem))
    return page(f"Invoice from {name}", body, status_code=status_code)
