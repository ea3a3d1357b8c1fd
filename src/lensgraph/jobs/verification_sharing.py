"""The invitation mail of a shared verification report, sent once per invitation whatever runs it twice."""

from __future__ import annotations

import uuid

from lensgraph.adapters.mail import Mail
from lensgraph.domain import global_ids
from lensgraph.jobs.services import current_services
from lensgraph.persistence import verification_sharing as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import User, Verification


async def mail_invite(invite_id: str) -> None:
    """Mails the invited address. The claim on ``mailed_at`` and the send share a transaction: a mail server outage
    rolls the claim back and dramatiq retries; a revoked invitation is not mailed."""
    key = uuid.UUID(invite_id)
    async with current_services().database.unit_of_work() as uow:
        invite = await queries.claim_invite_mail(uow.session, key, utcnow())
        if invite is None:
            return
        report = await uow.session.get(Verification, invite.verification_id)
        owner = await uow.session.get(User, report.user_id) if report else None
        if report is None or owner is None:
            return
        settings = current_services().settings
        report_id = global_ids.encode("Verification", report.id)
        account = (
            "Sign in with this address to read it."
            if invite.invited_user_id
            else "Create a Lensgraph account with this address (or verify it on yours) to read it."
        )
        await current_services().mailer.send(
            Mail(
                to=invite.email,
                subject=f"{owner.first_name} {owner.last_name} shared a verification report with you",
                body=(
                    f"Hello,\n\n{owner.first_name} {owner.last_name} invited you to read the authenticity "
                    f'verification report "{report.name}" (report {report.short_code}) on Lensgraph.\n\n'
                    f"{account}\nOpen {settings.public_url.rstrip('/')}/verifications/{report_id}, or ask the "
                    f'API for node(id: "{report_id}").\n'
                ),
            )
        )
