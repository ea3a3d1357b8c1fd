"""The analysis pipeline: one idempotent job per photo, safe to run again after a crash."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid

from lensgraph.adapters import imaging, video
from lensgraph.domain import duplicates as duplicate_rules
from lensgraph.domain import photos as rules
from lensgraph.domain.accounts import Role
from lensgraph.domain.events import PhotoAnalyzed, PhotoDuplicateFound
from lensgraph.domain.media import POSTER
from lensgraph.domain.photos import MediaKind, PhotoStatus
from lensgraph.jobs.services import current_services
from lensgraph.persistence import discovery as discovery_queries
from lensgraph.persistence import gallery_extras as gallery_queries
from lensgraph.persistence import photos as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Photo, User

log = logging.getLogger(__name__)


def rendition_key(photo_id: uuid.UUID, name: str) -> str:
    """Fixed per photo, so a retried job overwrites instead of adding files."""
    return f"photos/{photo_id}/{name}.jpg"


async def analyze_photo(photo_id: str) -> None:
    key = uuid.UUID(photo_id)
    db, storage = current_services().database, current_services().storage
    async with db.session() as session:
        photo = await session.get(Photo, key)
        owner = await session.get(User, photo.user_id) if photo else None
    if photo is None or owner is None or photo.status is not PhotoStatus.PROCESSING:
        return
    probed: video.Probe | None = None
    try:
        data = await storage.read(photo.original_key, max_bytes=photo.size_bytes)
        if photo.kind is MediaKind.VIDEO:
            # A video is analysed through its poster frame: the same thumbnail, previews and colours as a photo.
            probed = await asyncio.to_thread(video.probe, data)
        analysis = await asyncio.to_thread(
            imaging.analyse,
            probed.poster_jpeg if probed is not None else data,
            watermark_text=f"© {owner.username} · Lensgraph",
            thumbnail_px=rules.THUMBNAIL_PX,
            preview_px=rules.PREVIEW_PX,
        )
    except (OSError, ValueError, imaging.ImageUnreadable, video.VideoUnreadable) as exc:
        await _fail(key, f"The image could not be analysed: {type(exc).__name__}")
        return
    if photo.original_sha256 and hashlib.sha256(data).hexdigest() != photo.original_sha256:
        # Renditions of other bytes would be shown as this photo: nothing is made from them.
        log.error(
            "File integrity alert: stored object %s is not the original confirmed; not analysed", photo.original_key
        )
        await _fail(key, "The stored original is not the file that was confirmed.")
        return
    for name, rendition in analysis.renditions.items():
        await storage.write(rendition_key(key, name), rendition, content_type="image/jpeg")
    if probed is not None:
        await storage.write(rendition_key(key, POSTER), probed.poster_jpeg, content_type="image/jpeg")
    orientation = rules.orientation_of(analysis.width, analysis.height)
    async with db.unit_of_work() as uow:
        photo = await uow.session.get(Photo, key, with_for_update=True)
        if photo is None or photo.status is not PhotoStatus.PROCESSING:
            return
        # A brand's photos are its user-generated content: the same image sent twice is a duplicate too.
        own_too = owner.role is Role.BRAND
        others = await queries.hashes_of_others(uow.session, photo.user_id, photo.id, include_own=own_too)
        duplicate_of = next((other for other, phash in others if rules.is_duplicate(phash, analysis.phash)), None)
        photo.width, photo.height, photo.orientation = analysis.width, analysis.height, orientation
        if probed is not None:
            photo.duration_ms, photo.poster_key = probed.duration_ms, rendition_key(key, POSTER)
        photo.exif, photo.gps, photo.rights = analysis.exif, analysis.gps, analysis.rights
        photo.captured_at = analysis.captured_at
        # The file's own title, caption and keywords fill only what the owner left empty, read under the lock:
        # an edit the owner made while the analysis ran stands.
        typed = rules.PhotoText(photo.title, photo.description, photo.keywords)
        text = rules.with_embedded_text(typed, analysis.text)
        photo.title, photo.description, photo.keywords = text.title, text.description, text.keywords
        photo.colors = [f"#{red:02x}{green:02x}{blue:02x}" for red, green, blue in analysis.palette]
        # Recomputed from the analysis, never appended to: running the job again gives the same photo.
        photo.face_count = analysis.face_count
        photo.auto_keywords = rules.auto_keywords(
            orientation, analysis.palette, analysis.exif, faces=analysis.face_count
        )
        photo.category = rules.suggested_category(photo.category, analysis.face_count)
        photo.phash, photo.possible_duplicate_of_id = analysis.phash, duplicate_of
        photo.thumbnail_key = rendition_key(key, "thumbnail")
        photo.preview_key = rendition_key(key, "preview")
        photo.watermarked_key = rendition_key(key, "watermarked")
        photo.status, photo.analyzed_at = PhotoStatus.READY, utcnow()
        await discovery_queries.replace_tags(uow.session, photo)
        uow.emit(PhotoAnalyzed(photo_id=photo.id, status=photo.status.value, audience=(photo.user_id,)))
        original = await uow.session.get(Photo, duplicate_of) if duplicate_of else None
        if original is not None and duplicate_rules.is_cross_account(photo.user_id, original.user_id):
            # Told to the original's owner, who may claim it (claimDuplicate); the uploader is not told of it.
            uow.emit(
                PhotoDuplicateFound(photo_id=photo.id, original_photo_id=original.id, audience=(original.user_id,))
            )
        galleries = await gallery_queries.galleries_holding(uow.session, photo.id)
    # Galleries it was added to while processing stamp it with their own watermark now.
    for gallery_id in galleries:
        current_services().queue.send("galleries.watermark", str(gallery_id))


async def resume_analyses() -> None:
    """Sends ``photos.analyze`` again for every photo still waiting: the in-process broker forgets its queue when
    the server stops, so the server sends this once at start. Analysing a photo twice changes nothing."""
    async with current_services().database.session() as session:
        waiting = await queries.processing_ids(session)
    for photo_id in waiting:
        current_services().queue.send("photos.analyze", str(photo_id))


async def _fail(photo_id: uuid.UUID, reason: str) -> None:
    async with current_services().database.unit_of_work() as uow:
        photo = await uow.session.get(Photo, photo_id, with_for_update=True)
        if photo is None or photo.status is not PhotoStatus.PROCESSING:
            return
        photo.status, photo.failure_reason = PhotoStatus.FAILED, reason
        uow.emit(PhotoAnalyzed(photo_id=photo.id, status=photo.status.value, audience=(photo.user_id,)))
