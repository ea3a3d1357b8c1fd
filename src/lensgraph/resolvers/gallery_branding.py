"""A studio's branding on its galleries: its logo (one of its own photos), shown to clients and, when a gallery
chooses LOGO, stamped on its watermarked previews."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.photos import MediaKind, PhotoStatus
from lensgraph.persistence import gallery_extras
from lensgraph.persistence import studio as studio_queries
from lensgraph.persistence.models import Photo
from lensgraph.resolvers import photos
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.galleries import require_gallery_keeper


async def set_studio_logo(ctx: Context, photo_id: UUID | None) -> Photo | None:
    """One of the caller's READY photos becomes the logo (a PNG keeps its transparency); None removes it."""
    viewer = require_gallery_keeper(ctx)
    async with ctx.db.unit_of_work() as uow:
        logo = await uow.session.get(Photo, photo_id) if photo_id is not None else None
        if photo_id is not None:
            if logo is None or logo.user_id != viewer.user_id or logo.kind is not MediaKind.PHOTO:
                raise DomainError(ErrorCode.NOT_FOUND, "No such photo of yours.", ["photoId"])
            if logo.status is not PhotoStatus.READY:
                raise DomainError(ErrorCode.INVALID_INPUT, "Choose a photo whose processing is done.", ["photoId"])
        profile = await studio_queries.profile(uow.session, viewer.user_id)
        changed = profile.logo_photo_id != photo_id
        profile.logo_photo_id = photo_id
        stamped = await gallery_extras.logo_galleries_of(uow.session, viewer.user_id) if changed else []
    # Previews stamped with the old logo are shown no more (their key names it); the job stamps the new one.
    for gallery_id in stamped:
        ctx.services.jobs.send("galleries.watermark", str(gallery_id))
    return logo


async def studio_logo(ctx: Context, studio_id: UUID) -> Photo | None:
    """The studio's logo photo, through a loader: a page of galleries of one studio reads it once."""
    return await ctx.loaders.studio_logo.load(studio_id)


async def logo_url(ctx: Context, studio_id: UUID, *, expires_in: timedelta) -> str | None:
    """The logo as uploaded (its own type, transparency kept), checked against the hash of its confirmation."""
    logo = await studio_logo(ctx, studio_id)
    return await photos.original_url(ctx, logo, expires_in=expires_in) if logo is not None else None
