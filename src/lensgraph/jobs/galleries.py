"""Gallery sweeps: expiry reminders mailed to clients, then galleries past their expiry marked expired (each
announced once with gallery.expired)."""

from __future__ import annotations

import asyncio
import logging
import uuid

from aiosmtplib import SMTPException

from lensgraph.adapters import imaging
from lensgraph.adapters.mail import Mail
from lensgraph.domain import galleries as rules
from lensgraph.domain.events import GalleryExpired
from lensgraph.domain.galleries import WatermarkKind
from lensgraph.domain.photos import PREVIEW_PX, RENDITION_TYPE
from lensgraph.jobs.services import current_services
from lensgraph.persistence import galleries as queries
from lensgraph.persistence import gallery_extras
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Gallery, User

log = logging.getLogger(__name__)
# Previews are 1280 px JPEGs: far below this.
MAX_PREVIEW_BYTES = 20 * 1024 * 1024


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


async def watermark_gallery(gallery_id: str) -> None:
    """Stamps the gallery's READY previews with its own watermark: its text (else the studio's name), or the
    studio's logo when it chose LOGO and has one. Idempotent: a rendition's key names the settings it was made
    with, so places already stamped with them are skipped, and a run with stale settings records nothing."""
    key = uuid.UUID(gallery_id)
    services = current_services()
    db, storage = services.database, services.storage
    async with db.session() as session:
        gallery = await session.get(Gallery, key)
        owner = await session.get(User, gallery.user_id) if gallery else None
        if gallery is None or owner is None or not gallery.watermark:
            return
        logo = None
        if gallery.watermark_kind is WatermarkKind.LOGO:
            logo = await gallery_extras.logo_photo(session, gallery.user_id)
        entries = await gallery_extras.ready_entries(session, key)
        version = gallery.version
    text = rules.watermark_text(gallery.watermark_text, owner.username)
    logo_bytes = await storage.read(logo.original_key, max_bytes=logo.size_bytes) if logo is not None else None
    for entry, photo in entries:
        target = rules.watermark_key(gallery.id, photo.id, text, logo.id if logo is not None else None)
        if entry.watermarked_key == target or photo.preview_key is None:
            continue
        try:
            preview = await storage.read(photo.preview_key, max_bytes=MAX_PREVIEW_BYTES)
        except FileNotFoundError:
            # Deleted meanwhile (or never made): nothing to stamp; its clients see no preview either way.
            log.warning("gallery %s: the preview of %s is missing; not stamped", gallery.id, photo.id)
            continue
        stamped = await asyncio.to_thread(imaging.watermarked, preview, longest=PREVIEW_PX, text=text, logo=logo_bytes)
        await storage.write(target, stamped, content_type=RENDITION_TYPE)
        async with db.unit_of_work() as uow:
            recorded = await gallery_extras.record_watermark(uow.session, gallery.id, photo.id, target, version)
        if recorded and entry.watermarked_key is not None:
            # The preview stamped with the settings before is shown no more.
            await storage.delete(entry.watermarked_key)
