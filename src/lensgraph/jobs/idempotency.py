"""The sweep of expired idempotency keys: a repeat after 24 hours is a new request anyway (the lookup forgets an
expired key lazily); this keeps the table from growing with keys nobody sends again."""

from __future__ import annotations

from lensgraph.jobs.services import current_services
from lensgraph.persistence import idempotency as queries
from lensgraph.persistence.base import utcnow

BATCH = 1_000


async def purge_expired_keys() -> None:
    """Idempotent: deletes expired keys in batches, each in its own short transaction."""
    db = current_services().database
    while True:
        async with db.unit_of_work() as uow:
            deleted = await queries.purge_expired(uow.session, utcnow(), BATCH)
        if deleted < BATCH:
            return
