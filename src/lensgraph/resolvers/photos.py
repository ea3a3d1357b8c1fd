"""Uploading photos, confirming them into the analysis pipeline, editing and deleting them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from lensgraph.adapters import imaging
from lensgraph.adapters.storage import UploadTarget
from lensgraph.domain import photos as rules
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import PhotoAnalyzed
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.photos import PhotoStatus
from lensgraph.domain.policies import owns
from lensgraph.jobs.relay import event_channel
from lensgraph.persistence import photos as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Photo, Upload
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import live
from lensgraph.resolvers.context import Context

UPLOAD_URL_LIFETIME = timedelta(minutes=30)
RECHECK_SECONDS = 5.0
UPLOADER_ROLES = frozenset({Role.PHOTOGRAPHER, Role.STUDIO, Role.ADMIN})


@dataclass(frozen=True)
class RequestedUpload:
    upload: Upload
    target: UploadTarget


def _require_uploader(ctx: Context) -> UUID:
    viewer = ctx.require_viewer()
    if viewer.role not in UPLOADER_ROLES:
        raise forbidden("Only photographers and studios upload photos.")
    return viewer.user_id


async def request_upload(ctx: Context, *, filename: str, mime_type: str, size: int) -> RequestedUpload:
    user_id = _require_uploader(ctx)
    limit = ctx.settings.upload_limit_bytes
    name = rules.check_upload_request(filename, mime_type, size, limit)
    upload_id = uuid4()
    upload = Upload(
        id=upload_id,
        user_id=user_id,
        storage_key=f"uploads/{user_id}/{upload_id}/{name}",
        filename=name,
        mime_type=mime_type,
        declared_size=size,
        expires_at=utcnow() + UPLOAD_URL_LIFETIME,
    )
    target = await ctx.services.storage.presign_upload(
        upload.storage_key, content_type=mime_type, max_bytes=size, expires_in=UPLOAD_URL_LIFETIME
    )
    async with ctx.db.unit_of_work() as uow:
        uow.session.add(upload)
    return RequestedUpload(upload, target)


async def confirm_upload(
    ctx: Context, upload_id: UUID, *, title: str, description: str | None, keywords: list[str]
) -> Photo:
    """Checks what was stored (size, sniffed type, full decode) before a photo exists; junk is deleted."""
    user_id = _require_uploader(ctx)
    title, description, keywords = (
        rules.clean_title(title),
        rules.clean_description(description),
        rules.clean_keywords(keywords),
    )
    storage = ctx.services.storage
    async with ctx.db.session() as session:
        upload = await session.get(Upload, upload_id)
    if upload is None or not owns(ctx.viewer, upload.user_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such upload.", ["uploadId"])
    if upload.confirmed_at is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "This upload is already a photo.", ["uploadId"])
    stored = await storage.stat(upload.storage_key)
    if stored is None:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "Nothing was uploaded yet: send the file first.", ["uploadId"])
    try:
        if stored.size != upload.declared_size:
            raise DomainError(
                ErrorCode.UPLOAD_INVALID,
                f"The file has {stored.size} bytes, not the {upload.declared_size} declared.",
                ["uploadId"],
            )
        data = await storage.read(upload.storage_key, max_bytes=upload.declared_size)
        header = imaging.read_header(data)
        rules.check_sniffed_format(upload.mime_type, header.format)
        rules.check_pixels(header.width, header.height)
        try:
            await asyncio.to_thread(imaging.check_decodes, data)
        except imaging.ImageUnreadable:
            raise DomainError(ErrorCode.UPLOAD_INVALID, "The image is truncated or corrupt.", ["uploadId"]) from None
    except DomainError:
        await storage.delete(upload.storage_key)
        raise
    photo = Photo(
        user_id=user_id,
        title=title,
        description=description,
        keywords=keywords,
        original_key=upload.storage_key,
        mime_type=upload.mime_type,
        size_bytes=stored.size,
        width=header.width,
        height=header.height,
    )
    async with ctx.db.unit_of_work() as uow:
        claimed = await queries.upload_for_update(uow.session, upload_id)
        if claimed is None or claimed.confirmed_at is not None:
            raise DomainError(ErrorCode.ALREADY_EXISTS, "This upload is already a photo.", ["uploadId"])
        claimed.confirmed_at = utcnow()
        uow.session.add(photo)
    ctx.services.jobs.send("photos.analyze", str(photo.id))
    return photo


async def list_photos(ctx: Context, page: PageRequest) -> Page[Photo]:
    viewer = ctx.require_viewer()
    async with ctx.db.session() as session:
        return await paginate(
            session,
            queries.photos_of(viewer.user_id),
            [Photo.created_at, Photo.id],
            page,
            descending=True,
            count_session=ctx.db.session,
        )


async def update_photo(
    ctx: Context,
    photo_id: UUID,
    *,
    title: str | None,
    description: str | None,
    keywords: list[str] | None,
    show_location: bool | None,
) -> Photo:
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        photo = await uow.session.get(Photo, photo_id)
        if photo is None or not owns(ctx.viewer, photo.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["id"])
        if title is not None:
            photo.title = rules.clean_title(title)
        if description is not None:
            photo.description = rules.clean_description(description)
        if keywords is not None:
            photo.keywords = rules.clean_keywords(keywords)
        if show_location is not None:
            photo.show_location = show_location
        return photo


async def delete_photo(ctx: Context, photo_id: UUID) -> None:
    """Removes the row first, then the stored files: a crash leaves orphan files, never a broken photo."""
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        photo = await uow.session.get(Photo, photo_id)
        if photo is None or not owns(ctx.viewer, photo.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["id"])
        keys = [photo.original_key, photo.thumbnail_key, photo.preview_key, photo.watermarked_key]
        await uow.session.delete(photo)
    for key in keys:
        if key:
            await ctx.services.storage.delete(key)


async def processed(ctx: Context, photo_id: UUID) -> AsyncIterator[Photo]:
    """Yields the photo once its analysis has finished, then ends; at once if it already has.

    The database is looked at again on every matching event and every few seconds, so an analysis that
    finished before the subscription reached the pubsub is not missed.
    """
    viewer = ctx.require_viewer()
    updates = live.messages(ctx, viewer, event_channel(PhotoAnalyzed.type))
    pending = asyncio.ensure_future(anext(updates))
    try:
        while True:
            async with ctx.db.session() as session:
                photo = await session.get(Photo, photo_id)
            if photo is None or not owns(viewer, photo.user_id):
                raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["id"])
            if photo.status is not PhotoStatus.PROCESSING:
                yield photo
                return
            while True:
                done, _ = await asyncio.wait({pending}, timeout=RECHECK_SECONDS)
                if not done:
                    break
                message = pending.result()
                pending = asyncio.ensure_future(anext(updates))
                if message.get("data", {}).get("photoId") == str(photo_id):
                    break
    finally:
        pending.cancel()
        await updates.aclose()
