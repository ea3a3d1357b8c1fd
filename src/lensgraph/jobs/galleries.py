"""Gallery sweeps: galleries past their expiry are marked expired, each announced once with gallery.expired."""

from __future__ import annotations

from lensgraph.domain.events import GalleryExpired
from lensgraph.jobs.services import current_services
from lensgraph.persistence import galleries as queries
from lensgraph.persistence.base import utcnow


async def expire_galleries() -> None:
    """Idempotent: the conditional UPDATE marks each gallery once, and only the rows it marked emit the event."""
    db = current_services().database
    while True:
        async with db.unit_of_work() as uow:
            marked = await queries.mark_expired(uow.session, utcnow())
            uow.emit(*(GalleryExpired(gallery_id=gallery_id, audience=(owner_id,)) for gallery_id, owner_id in marked))
        if len(marked) < queries.SWEEP_BATCH:
            return
