"""The mail that gives a client their document's link, sent once per document whatever runs it twice.

``sendDocument`` records a ``DocumentSent`` event (no token: the outbox holds no secret); the relay hands the
document id to ``documents.mail_link``, which makes the secret, stores its digest on the document (a conditional
UPDATE: only a document not yet mailed takes one) and mails it, in one transaction. A mail server outage rolls
the digest back and dramatiq retries; a second run finds the document mailed and sends nothing.
"""

from __future__ import annotations

import uuid

from lensgraph.adapters.mail import Mail
from lensgraph.adapters.tokens import digest, new_secret
from lensgraph.domain import documents as rules
from lensgraph.domain.documents import DocumentKind
from lensgraph.jobs.services import current_services
from lensgraph.persistence import documents as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import StudioDocument, User


async def mail_document_link(document_id: str) -> None:
    """Mails the client the link of one document, once; a document voided before its mail is not sent."""
    services = current_services()
    key = uuid.UUID(document_id)
    secret = new_secret()
    async with services.database.unit_of_work() as uow:
        if not await queries.claim_link(uow.session, key, digest(secret), utcnow()):
            return
        document = await uow.session.get(StudioDocument, key)
        studio = await uow.session.get(User, document.studio_id) if document else None
        if document is None or studio is None:
            return
        studio_name = f"{studio.first_name} {studio.last_name}".strip()
        action = "read and sign" if document.kind is DocumentKind.CONTRACT else "fill in"
        # Sent inside the transaction: a failed send rolls the digest back, and the retry mails a working link.
        await services.mailer.send(
            Mail(
                to=document.recipient,
                subject=f"{studio_name} sent you {document.title}",
                body=(
                    f'Hello,\n\n{studio_name} asks you to {action} "{document.title}". Open\n'
                    f"{rules.document_url(services.settings.public_url, secret)}\n\n"
                    f"or send this token with the studioDocument query:\n\n    {secret}\n\n"
                    "Keep this message to yourself: the link opens the document.\n"
                ),
            )
        )
