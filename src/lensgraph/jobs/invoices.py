"""Invoice jobs: mailing the client the invoice's link once it is sent, and the overdue sweep.

``sendInvoice`` records an ``InvoiceSent`` event only (the outbox holds no secret); ``invoices.mail_link`` makes the
link's secret, stores its digest and mails it in one transaction. The invoice remembers the event its link came
from, so a second run of the same event mails nothing, and a mail server outage rolls the secret back for
dramatiq's retry.
"""

from __future__ import annotations

import uuid

from lensgraph.adapters.mail import Mail
from lensgraph.adapters.tokens import digest, new_secret
from lensgraph.config import Settings
from lensgraph.domain.invoices import InvoiceStatus
from lensgraph.domain.money import Money
from lensgraph.jobs.services import current_services
from lensgraph.persistence import invoices as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Client, Invoice, User


async def mail_invoice_link(event_id: str, invoice_key: str) -> None:
    """Mails the client the link one ``InvoiceSent`` event asked for, once."""
    services = current_services()
    invoice_id, event_key = uuid.UUID(invoice_key), uuid.UUID(event_id)
    async with services.database.unit_of_work() as uow:
        # First write of the transaction: two runs of one event take turns, and the second finds the first's link.
        if not await queries.hold_invoice(uow.session, invoice_id):
            return
        invoice = await uow.session.get(Invoice, invoice_id)
        if invoice is None or invoice.link_event_id == event_key or invoice.status is InvoiceStatus.VOID:
            return
        client = await uow.session.get(Client, invoice.client_id)
        studio = await uow.session.get(User, invoice.studio_id)
        if client is None or not client.emails or studio is None:
            return
        secret = new_secret()
        invoice.view_token_digest, invoice.link_event_id = digest(secret), event_key
        await uow.session.flush()
        # Sent inside the transaction: a failed send rolls the link back and dramatiq retries.
        await services.mailer.send(_mail(client, studio, invoice, secret, services.settings))


def _mail(client: Client, studio: User, invoice: Invoice, secret: str, settings: Settings) -> Mail:
    total = Money(invoice.total, invoice.currency).formatted()
    sender = f"{studio.first_name} {studio.last_name}".strip() or studio.username
    return Mail(
        to=client.emails[0],
        subject=f"Invoice from {sender}",
        body=(
            f"Hello {client.name},\n\n{sender} sent you an invoice of {total}, due {invoice.due_date.isoformat()}.\n"
            f"See it and pay it here: {settings.public_url}/invoice?token={secret}\n\n"
            f"(An app of your studio's may ask for this token instead:\n\n    {secret}\n)\n"
        ),
    )


async def mark_overdue_invoices() -> None:
    """Idempotent: the conditional UPDATE moves each invoice once; nothing else is announced (no event type)."""
    db = current_services().database
    while True:
        async with db.unit_of_work() as uow:
            marked = await queries.mark_overdue(uow.session, utcnow().date())
        if len(marked) < queries.SWEEP_BATCH:
            return
