"""Licensing sweeps: open offers nobody answered in time expire, each with its event."""

from __future__ import annotations

from lensgraph.domain import licensing as rules
from lensgraph.domain.events import LicenseExpired
from lensgraph.domain.licensing import Negotiation
from lensgraph.jobs.services import current_services
from lensgraph.persistence import licensing as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import License

BATCH = 200


async def expire_offers() -> None:
    """Idempotent: an offer already answered or expired is left alone (the rule decides, row by row)."""
    db = current_services().database
    while True:
        now = utcnow()
        async with db.unit_of_work() as uow:
            stale = await queries.stale_offers(uow.session, now, BATCH)
            for license_id in stale:
                row = await uow.session.get(License, license_id, with_for_update=True)
                moved = rules.expire(Negotiation(row.status, row.expires_at), now) if row else None
                if row is None or moved is None:
                    continue
                row.status = moved.status
                uow.emit(
                    LicenseExpired(
                        license_id=row.id,
                        photo_id=row.photo_id,
                        status=row.status.value,
                        audience=(row.brand_id, row.photographer_id),
                    )
                )
        if len(stale) < BATCH:
            return
