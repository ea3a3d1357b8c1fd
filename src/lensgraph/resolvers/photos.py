"""Uploading photos, confirming them into the analysis pipeline, editing and deleting them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from lensgraph.adapters import imaging
from lensgraph.domain import files
from lensgraph.domain import photos as rules
from lensgraph.domain.discovery import PhotoFilter, PhotoOrder, PhotoSortField, clean_filter
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import PhotoAnalyzed
from lensgraph.domain.licensing import PhotoLicenseOffer, Usage, check_photo_offer
from lensgraph.domain.pagination import PageRequest, SortDirection, check_search
from lensgraph.domain.photos import PhotoCategory, PhotoStatus, UploadPurpose, Visibility
from lensgraph.domain.policies import can_view_photo, owns
from lensgraph.jobs.relay import event_channel
from lensgraph.persistence import discovery as discovery_queries
from lensgraph.persistence import photos as queries
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Photo, Upload
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.persistence.prepared import PreparedStatements
from lensgraph.resolvers import licensing, live, uploads
from lensgraph.resolvers.context import Context

ORIGINAL = "original"


async def confirm_upload(
    ctx: Context,
    upload_id: UUID,
    *,
    title: str | None,
    description: str | None,
    keywords: list[str],
    category: PhotoCategory | None = None,
    visibility: Visibility = Visibility.PUBLIC,
) -> Photo:
    """Checks what was stored (size, sniffed type, full decode) before a photo exists; junk is deleted.

    The photo's original is the checked bytes, stored by the server under ``photos/<id>/original.<ext>``.
    """
    user_id = uploads.require_uploader(ctx)
    # Left out, the title is the file's own, filled in by the analysis (``rules.with_embedded_text``).
    title, description, keywords = (
        rules.clean_title(title) if title is not None else "",
        rules.clean_description(description),
        rules.clean_keywords(keywords),
    )
    upload, data = await uploads.read_upload(ctx, upload_id, UploadPurpose.PHOTO)
    async with accepted_photo(
        ctx,
        upload,
        data,
        user_id=user_id,
        title=title,
        description=description,
        keywords=keywords,
        category=category,
        visibility=visibility,
    ) as (_uow, photo):
        pass
    return photo


@asynccontextmanager
async def accepted_photo(
    ctx: Context,
    upload: Upload,
    data: bytes,
    *,
    user_id: UUID,
    title: str,
    description: str = "",
    keywords: list[str] | None = None,
    category: PhotoCategory | None = None,
    visibility: Visibility = Visibility.PUBLIC,
    field: str = "uploadId",
) -> AsyncIterator[tuple[UnitOfWork, Photo]]:
    """Checks an upload's bytes (sniffed type, size in pixels, full decode) and makes them a photo of ``user_id``
    in a unit of work the block may add to (a record pointing at the photo); analysis is queued after commit."""
    async with uploads.ended_if_refused(ctx, upload):
        header = imaging.read_header(data)
        media_type = rules.check_sniffed_format(upload.mime_type, header.format)
        rules.check_pixels(header.width, header.height)
        await check_decodes(data, field)
    photo_id = uuid4()
    original_key = files.stored_key("photos", photo_id, ORIGINAL, media_type)
    checked = uploads.CheckedFile(upload, data, original_key, media_type, field)
    async with uploads.accepting_all(ctx, [checked]) as (uow, [original]):
        photo = Photo(
            id=photo_id,
            user_id=user_id,
            title=title,
            description=description,
            keywords=keywords or [],
            category=category,
            visibility=visibility,
            original_key=original.key,
            original_sha256=original.sha256,
            mime_type=original.media_type,
            size_bytes=original.size,
            width=header.width,
            height=header.height,
        )
        uow.session.add(photo)
        await discovery_queries.replace_tags(uow.session, photo)
        yield uow, photo
    ctx.services.jobs.send("photos.analyze", str(photo.id))


async def original_url(ctx: Context, photo: Photo, *, expires_in: timedelta) -> str:
    """A download URL for the photo's original, once its bytes are checked against the hash confirmed.

    The caller decided the viewer may have it. An original confirmed before hashes were kept is trusted
    as it is on its first delivery and checked from then on: its upload URL expired long ago, so no
    client could have changed it since, and recording its hash protects it from any later change.
    """
    digest = await uploads.verified_digest(ctx, photo.original_key, photo.original_sha256)
    if photo.original_sha256 is None and digest is not None:
        async with ctx.db.unit_of_work() as uow:
            await queries.record_original_sha256(uow.session, photo.id, digest)
    return await ctx.services.storage.presign_download(
        photo.original_key,
        expires_in=expires_in,
        media_type=photo.mime_type,
        filename=files.download_name(photo.title, photo.mime_type, fallback="photo"),
    )


async def rendition_url(ctx: Context, key: str | None, *, expires_in: timedelta) -> str | None:
    """A thumbnail, preview or watermarked preview: JPEGs the server made, shown inline."""
    if key is None:
        return None
    return await ctx.services.storage.presign_download(key, expires_in=expires_in, media_type=rules.RENDITION_TYPE)


def rendition_url_now(ctx: Context, key: str | None, *, expires_in: timedelta) -> str | Awaitable[str | None] | None:
    """``rendition_url`` made at once where storage signs without waiting (nearly always), else its awaitable."""
    if key is None:
        return None
    made = ctx.services.storage.download_url_now(key, expires_in=expires_in, media_type=rules.RENDITION_TYPE)
    return made if made is not None else rendition_url(ctx, key, expires_in=expires_in)


async def check_decodes(data: bytes, field: str = "uploadId") -> None:
    """Decodes every pixel, off the event loop: a truncated or corrupt image is refused here, not in analysis."""
    try:
        await asyncio.to_thread(imaging.check_decodes, data)
    except imaging.ImageUnreadable:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "The image is truncated or corrupt.", [field]) from None


async def list_photos(
    ctx: Context,
    page: PageRequest,
    given: PhotoFilter,
    order: PhotoOrder,
    status: PhotoStatus | None,
    columns: queries.PhotoColumns | None = None,
    *,
    count_inline: bool = False,
    search: str | None = None,
    sort: tuple[PhotoSortField, SortDirection] | None = None,
) -> Page[Any]:
    """The viewer's own photos, in any status unless one is given, with the public browse's filters, a ``search``
    of title and keywords, and ``sort`` (which overrides ``order``): rows, or only ``columns`` of them for the
    compiled read path."""
    viewer = ctx.require_viewer()
    text = check_search(search)
    query = discovery_queries.meeting(queries.photos_of(viewer.user_id, status), clean_filter(given))
    if text is not None:
        query = queries.searching(query, text)
    if sort is None:
        keys, descending = discovery_queries.ORDER_KEYS[order], True
    else:
        keys, descending = queries.SORT_KEYS[sort[0]], sort[1] is SortDirection.DESC
    return await queries.page_of_photos(
        ctx.reads, query, keys, page, columns, count_inline=count_inline, descending=descending
    )


async def visible_photo_row(
    ctx: Context, key: UUID, columns: queries.PhotoColumns, prepared: PreparedStatements
) -> Any | None:
    """``node(id:)`` of a photo for the compiled read path: its row of ``columns`` (which hold its owner, status
    and visibility), or None where the viewer may not see it; a view is counted as for a loaded photo."""
    row = await queries.photo_row(ctx.reads, key, columns, prepared)
    if row is None or not can_view_photo(ctx.viewer, row.user_id, row.status, row.visibility):
        return None
    return row


async def list_possible_duplicates(ctx: Context, page: PageRequest) -> Page[Photo]:
    """For moderators: every photo flagged as near-identical to someone else's, newest first."""
    if not ctx.require_viewer().is_admin:
        raise forbidden("Only administrators review possible duplicates.")
    return await paginate(
        ctx.reads,
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
    license_offer: PhotoLicenseOffer | None = None,
) -> Photo:
    ctx.require_viewer()
    if license_offer is not None:
        license_offer = check_photo_offer(license_offer)
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
        if category is not None:
            photo.category = category
        if visibility is not None:
            photo.visibility = visibility
        if license_offer is not None:
            photo.license_usages = [usage.value for usage in Usage if usage in license_offer.usages]
            price = license_offer.price
            photo.license_price, photo.license_currency = (price.amount, price.currency) if price else (None, None)
            photo.exclusive_available = license_offer.exclusive_available
        if keywords is not None or license_offer is not None:
            await discovery_queries.replace_tags(uow.session, photo)
    if title is not None or description is not None or keywords is not None:
        # Its embedding follows its text (the job does nothing for a text that did not change).
        ctx.services.jobs.send("photos.embed", str(photo.id))
    return photo


async def delete_photo(ctx: Context, photo_id: UUID) -> None:
    """Removes the row first, then the stored files: a crash leaves orphan files, never a broken photo."""
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        photo = await uow.session.get(Photo, photo_id)
        if photo is None or not owns(ctx.viewer, photo.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["id"])
        await licensing.withdraw_photo(uow, photo.id)
        keys = [photo.original_key, photo.thumbnail_key, photo.preview_key, photo.watermarked_key, photo.poster_key]
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
    rechecks = live.rechecks(ctx, viewer, event_channel(PhotoAnalyzed.type), "photoId", photo_id)
    async with contextlib.aclosing(rechecks):
        async for _ in rechecks:
            async with ctx.db.session() as session:
                photo = await session.get(Photo, photo_id)
            if photo is None or not owns(viewer, photo.user_id):
                raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["id"])
            if photo.status is not PhotoStatus.PROCESSING:
                yield photo
                return
