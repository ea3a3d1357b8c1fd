"""Gallery sweeps: expiry reminders mailed to clients, then galleries past their expiry marked expired (each
announced once with gallery.expired)."""

from __future__ import annotations

import logging

from aiosmtplib import SMTPException

from lensgraph.adapters.mail import Mail
from lensgraph.domain import galleries as rules
from lensgraph.domain.events import GalleryExpired
from lensgraph.jobs.services import current_services
from lensgraph.persistence import galleries as queries
from lensgraph.persistence import gallery_extras
from lensgraph.persistence.base import utcnow

log = logging.getLogger(__name__)


async def expire_galleries() -> None:
    """Idempotent: the conditional UPDATE marks each gallery once, and only the rows it marked emit the event."""
    db = current_services().database
    while True:
        async with db.unit_of_work() as uow:
            marked = await queries.mark_expired(uow.session, utcnow())
            uow.emit(*(GalleryExpired(gallery_id=gallery_id, audience=(owner_id,)) for gallery_id, owner_id in marked))
        if len(marked) < queries.SWEEP_BATCH:
            break
    await remind_clients()


async def remind_clients() -> None:
    """Mails each gallery's client once per expiry date, LENSGRAPH_GALLERY_EXPIRY_REMINDER_DAYS ahead.

    Each gallery is claimed by its own conditional UPDATE of ``reminder_sent_for`` and mailed inside that
    transaction: a concurrent sweep finds it claimed, and a mail refused or a mail server outage rolls the claim
    back for the next sweep (every minute), without holding up the other galleries. Changing the expiry makes
    the gallery due again.
    """
    services = current_services()
    now = utcnow()
    before = rules.reminder_window(now, services.settings.gallery_expiry_reminder_days)
    if before is None:
        return
    async with services.database.session() as session:
        due = await gallery_extras.due_reminders(session, now, before)
    for gallery_id in due:
        try:
            async with services.database.unit_of_work() as uow:
                gallery = await gallery_extras.claim_reminder(uow.session, gallery_id, now, before)
                if gallery is None or gallery.client_email is None or gallery.expires_at is None:
                    continue
                link = services.settings.gallery_url(gallery.slug)
                subject, body = rules.reminder_text(gallery.title, link, gallery.expires_at, gallery.client_name)
                await services.mailer.send(Mail(to=gallery.client_email, subject=subject, body=body))
        except (OSError, SMTPException):
            log.warning(
                "expiry reminder for gallery %s not sent; the next sweep tries again", gallery_id, exc_info=True
            )
