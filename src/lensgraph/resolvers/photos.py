"""Uploading photos, confirming them into the analysis pipeline, editing and deleting them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from lensgraph.adapters import imaging
from lensgraph.adapters.storage import UploadTarget
from lensgraph.domain import photos as rules
from lensgraph.domain import releases as release_rules
from lensgraph.domain.discovery import PhotoFilter, PhotoOrder, clean_filter
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import PhotoAnalyzed
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.photos import PhotoCategory, PhotoStatus, UploadPurpose, Visibility
from lensgraph.domain.policies import can_publish, owns
from lensgraph.jobs.relay import event_channel
from lensgraph.persistence import discovery as discovery_queries
from lensgraph.persistence import photos as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Photo, Upload
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import licensing, live, plans
from lensgraph.resolvers.context import Context

UPLOAD_URL_LIFETIME = timedelta(minutes=30)
RECHECK_SECONDS = 5.0
ALREADY_USED = {
    UploadPurpose.PHOTO: "This upload is already a photo.",
    UploadPurpose.RELEASE_DOCUMENT: "This upload is already a release.",
}
WRONG_PURPOSE = {
    UploadPurpose.PHOTO: "This upload was requested for a release document, not a photo.",
    UploadPurpose.RELEASE_DOCUMENT: "This upload was requested for a photo: request a release upload instead.",
}


@dataclass(frozen=True)
class RequestedUpload:
    upload: Upload
    target: UploadTarget


def require_uploader(ctx: Context) -> UUID:
    """Photographers and studios upload photos and keep their releases."""
    viewer = ctx.require_viewer()
    if not can_publish(viewer):
        raise forbidden("Only photographers and studios upload photos and releases.")
    return viewer.user_id


async def request_upload(
    ctx: Context, *, filename: str, mime_type: str, size: int, purpose: UploadPurpose = UploadPurpose.PHOTO
) -> RequestedUpload:
    """A presigned target for a photo or a release document, each with its own types and size limit."""
    user_id = require_uploader(ctx)
    if purpose is UploadPurpose.RELEASE_DOCUMENT:
        name = release_rules.check_document_request(filename, mime_type, size)
    else:
        plan = await plans.require_plan(ctx)
        name = rules.check_upload_request(filename, mime_type, size, plan.limits.upload_bytes)
    upload_id = uuid4()
    upload = Upload(
        id=upload_id,
        user_id=user_id,
        purpose=purpose,
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
    ctx: Context,
    upload_id: UUID,
    *,
    title: str,
    description: str | None,
    keywords: list[str],
    category: PhotoCategory | None = None,
    visibility: Visibility = Visibility.PUBLIC,
) -> Photo:
    """Checks what was stored (size, sniffed type, full decode) before a photo exists; junk is deleted."""
    user_id = require_uploader(ctx)
    title, description, keywords = (
        rules.clean_title(title),
        rules.clean_description(description),
        rules.clean_keywords(keywords),
    )
    upload, data = await read_upload(ctx, upload_id, UploadPurpose.PHOTO)
    async with deleted_if_refused(ctx, upload.storage_key):
        header = imaging.read_header(data)
        rules.check_sniffed_format(upload.mime_type, header.format)
        rules.check_pixels(header.width, header.height)
        await check_decodes(data)
    photo = Photo(
        user_id=user_id,
        title=title,
        description=description,
        keywords=keywords,
        category=category,
        visibility=visibility,
        original_key=upload.storage_key,
        mime_type=upload.mime_type,
        size_bytes=len(data),
        width=header.width,
        height=header.height,
    )
    async with ctx.db.unit_of_work() as uow:
        claimed = await queries.upload_for_update(uow.session, upload_id)
        if claimed is None or claimed.confirmed_at is not None:
            raise DomainError(ErrorCode.ALREADY_EXISTS, ALREADY_USED[UploadPurpose.PHOTO], ["uploadId"])
        claimed.confirmed_at = utcnow()
        uow.session.add(photo)
        await discovery_queries.replace_tags(uow.session, photo)
    ctx.services.jobs.send("photos.analyze", str(photo.id))
    return photo


async def read_upload(ctx: Context, upload_id: UUID, purpose: UploadPurpose) -> tuple[Upload, bytes]:
    """The viewer's unconfirmed upload for ``purpose`` and its bytes; a file not of the declared size is deleted.

    What the bytes are is the caller's to check, inside ``deleted_if_refused``.
    """
    async with ctx.db.session() as session:
        upload = await session.get(Upload, upload_id)
    if upload is None or not owns(ctx.viewer, upload.user_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such upload.", ["uploadId"])
    if upload.purpose is not purpose:
        raise DomainError(ErrorCode.UPLOAD_INVALID, WRONG_PURPOSE[purpose], ["uploadId"])
    if upload.confirmed_at is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, ALREADY_USED[purpose], ["uploadId"])
    storage = ctx.services.storage
    stored = await storage.stat(upload.storage_key)
    if stored is None:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "Nothing was uploaded yet: send the file first.", ["uploadId"])
    async with deleted_if_refused(ctx, upload.storage_key):
        if stored.size != upload.declared_size:
            raise DomainError(
                ErrorCode.UPLOAD_INVALID,
                f"The file has {stored.size} bytes, not the {upload.declared_size} declared.",
                ["uploadId"],
            )
        data = await storage.read(upload.storage_key, max_bytes=upload.declared_size)
    return upload, data


@asynccontextmanager
async def deleted_if_refused(ctx: Context, storage_key: str) -> AsyncIterator[None]:
    """Deletes the stored file when a check in the block refuses it: junk never stays in storage."""
    try:
        yield
    except DomainError:
        await ctx.services.storage.delete(storage_key)
        raise


async def check_decodes(data: bytes) -> None:
    """Decodes every pixel, off the event loop: a truncated or corrupt image is refused here, not in analysis."""
    try:
        await asyncio.to_thread(imaging.check_decodes, data)
    except imaging.ImageUnreadable:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "The image is truncated or corrupt.", ["uploadId"]) from None


async def list_photos(
    ctx: Context, page: PageRequest, given: PhotoFilter, order: PhotoOrder, status: PhotoStatus | None
) -> Page[Photo]:
    """The viewer's own photos, in any status unless one is given, with the public browse's filters."""
    viewer = ctx.require_viewer()
    query = discovery_queries.meeting(queries.photos_of(viewer.user_id, status), clean_filter(given))
    return await paginate(ctx.db, query, discovery_queries.ORDER_KEYS[order], page, descending=True)


async def list_possible_duplicates(ctx: Context, page: PageRequest) -> Page[Photo]:
    """For moderators: every photo flagged as near-identical to someone else's, newest first."""
    if not ctx.require_viewer().is_admin:
        raise forbidden("Only administrators review possible duplicates.")
    return await paginate(
        ctx.db,
        queries.possible_duplicates(),
        [Photo.created_at, Photo.id],
        page,
        descending=True,
    )


async def update_photo(
    ctx: Context,
    photo_id: UUID,
    *,
    title: str | None,
    description: str | None,
    keywords: list[str] | None,
    show_location: bool | None,
    category: PhotoCategory | None = None,
    visibility: Visibility | None = None,
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
            await discovery_queries.replace_tags(uow.session, photo)
        if show_location is not None:
            photo.show_location = show_location
        if category is not None:
            photo.category = category
        if visibility is not None:
            photo.visibility = visibility
        return photo


async def delete_photo(ctx: Context, photo_id: UUID) -> None:
    """Removes the row first, then the stored files: a crash leaves orphan files, never a broken photo."""
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        photo = await uow.session.get(Photo, photo_id)
        if photo is None or not owns(ctx.viewer, photo.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["id"])
        await licensing.withdraw_photo(uow, photo.id)
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
        # The generator cannot be closed while the pending read is still inside it.
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration, live.CredentialExpired):
            await pending
        await updates.aclose()
