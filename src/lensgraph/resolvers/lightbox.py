"""The lightbox: a brand's shortlist of other people's photos. Saving a photo there makes it more popular."""

from __future__ import annotations

from uuid import UUID

from lensgraph.domain import collections as rules
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import Viewer, can_keep_lightbox, can_view_photo
from lensgraph.persistence import collections as queries
from lensgraph.persistence.db import ConstraintViolation
from lensgraph.persistence.models import LightboxItem, Photo
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.collections import page_of_photos
from lensgraph.resolvers.context import Context

NOT_VISIBLE = "No such photo."


def _require_keeper(ctx: Context) -> Viewer:
    viewer = ctx.require_viewer()
    if not can_keep_lightbox(viewer):
        raise forbidden("Only brands keep a lightbox.")
    return viewer


async def list_items(ctx: Context, page: PageRequest) -> Page[Photo]:
    """Newest saved first; photos that are no longer visible (made private, say) drop out."""
    viewer = _require_keeper(ctx)
    items = await paginate(
        ctx.reads,
        queries.lightbox_of(viewer.user_id),
        [LightboxItem.created_at, LightboxItem.photo_id],
        page,
        descending=True,
    )
    return await page_of_photos(ctx, items, [item.photo_id for item in items.rows], items.count)


async def add(ctx: Context, photo_id: UUID) -> Photo:
    """Saves a photo the brand may see; saving it again changes nothing. A new save adds one to its popularity."""
    viewer = _require_keeper(ctx)
    try:
        async with ctx.db.unit_of_work() as uow:
            photo = await uow.session.get(Photo, photo_id)
            if photo is None or not can_view_photo(viewer, photo.user_id, photo.status, photo.visibility):
                raise DomainError(ErrorCode.NOT_FOUND, NOT_VISIBLE, ["photoId"])
            rules.check_lightbox_photo(viewer.user_id, photo.user_id)
            if await queries.add_to_lightbox(uow.session, viewer.user_id, photo.id):
                await queries.increase_popularity(uow.session, photo.id)
                await uow.session.refresh(photo, ["popularity"])
    except ConstraintViolation:
        # The photo was deleted while it was being saved.
        raise DomainError(ErrorCode.NOT_FOUND, NOT_VISIBLE, ["photoId"]) from None
    return photo


async def remove(ctx: Context, photo_id: UUID) -> None:
    viewer = _require_keeper(ctx)
    async with ctx.db.unit_of_work() as uow:
        if not await queries.remove_from_lightbox(uow.session, viewer.user_id, photo_id):
            raise DomainError(ErrorCode.NOT_FOUND, "This photo is not in your lightbox.", ["photoId"])
        await queries.decrease_popularity(uow.session, [photo_id])


async def clear(ctx: Context) -> int:
    """Empties the lightbox; answers how many photos it held."""
    viewer = _require_keeper(ctx)
    async with ctx.db.unit_of_work() as uow:
        removed = await queries.clear_lightbox(uow.session, viewer.user_id)
        await queries.decrease_popularity(uow.session, removed)
    return len(removed)
