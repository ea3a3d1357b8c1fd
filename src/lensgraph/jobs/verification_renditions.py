"""A verification report's renditions: a small thumbnail and the JPEG with its verification strip, made once and
stored. Made by ``verification.make_renditions`` when the analysis ends (the relay sends it on the verdict's
event), and on first request if that job has not run yet."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
import weakref
from uuid import UUID

from lensgraph.adapters import imaging
from lensgraph.adapters.storage import ObjectTooLarge, Storage
from lensgraph.domain import analytics
from lensgraph.domain import verification_sharing as rules
from lensgraph.domain.files import stored_key
from lensgraph.domain.verification import TERMINAL
from lensgraph.jobs.services import current_services
from lensgraph.persistence import verification_sharing as queries
from lensgraph.persistence.db import Database
from lensgraph.persistence.models import Verification

log = logging.getLogger(__name__)

MEDIA_TYPE = "image/jpeg"
THUMBNAIL = "thumbnail_key"
WATERMARKED = "watermarked_key"
# One maker per (report, rendition) in a process: concurrent first requests wait for it rather than decode the JPEG
# again. Across processes the writes are idempotent (same key, same bytes, a conditional UPDATE). Weak: a lock
# nobody holds or waits for is dropped.
_making: weakref.WeakValueDictionary[tuple[UUID, str], asyncio.Lock] = weakref.WeakValueDictionary()


async def make_renditions(verification_id: str) -> None:
    """Both renditions of a report whose analysis ended; a second run finds them made."""
    key = uuid.UUID(verification_id)
    for column in (THUMBNAIL, WATERMARKED):
        await make(current_services().database, current_services().storage, key, column)


async def make(db: Database, storage: Storage, verification_id: UUID, column: str) -> str | None:
    """The rendition's key, made, stored and recorded if it was not yet. None when it cannot be made: the report is
    gone, the watermark asked for before the verdict (the strip prints it), or the stored JPEG unreadable or not the
    one confirmed (logged: nothing is made from a file that changed)."""
    lock = _making.get((verification_id, column))
    if lock is None:
        lock = _making[(verification_id, column)] = asyncio.Lock()
    async with lock:
        async with db.session() as session:
            row = await session.get(Verification, verification_id)
        if row is None or (column == WATERMARKED and row.status not in TERMINAL):
            return None
        made: str | None = getattr(row, column)
        if made is not None:
            return made
        try:
            data = await storage.read(row.image_key, max_bytes=row.image_size)
        except (FileNotFoundError, ObjectTooLarge):
            data = b""  # missing or grown: not the file confirmed either
        if hashlib.sha256(data).hexdigest() != row.image_sha256:
            log.error("File integrity alert: %s is not the image confirmed; no rendition made", row.image_key)
            return None
        try:
            rendition = await asyncio.to_thread(_render, row, column, data)
        except imaging.ImageUnreadable:
            log.exception("rendition %s of verification %s could not be made", column, row.id)
            return None
        key = stored_key("verifications", row.id, column.removesuffix("_key"), MEDIA_TYPE)
        await storage.write(key, rendition, content_type=MEDIA_TYPE)
        async with db.unit_of_work() as uow:
            await queries.record_rendition(uow.session, row.id, column, key)
        return key


def _render(row: Verification, column: str, data: bytes) -> bytes:
    if column == THUMBNAIL:
        return imaging.thumbnail(data, rules.THUMBNAIL_PX)
    strip = rules.strip_for(row.authentic, row.short_code, analytics.utc_day(row.completed_at or row.created_at))
    return imaging.with_verification_strip(data, strip.lines, strip.verdict, rules.WATERMARKED_PX)
