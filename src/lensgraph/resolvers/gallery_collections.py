"""Gallery collections: a studio's folders of galleries ("Weddings 2026"), named, filled and emptied."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from lensgraph.domain import galleries as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import owns
from lensgraph.persistence import gallery_extras as queries
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.models import Gallery, GalleryCollection
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.galleries import NO_SUCH_GALLERY, require_gallery_keeper

NAME_TAKEN = "You have a collection of this name."
NO_SUCH_COLLECTION = "No such collection of yours."


async def _own_collection(ctx: Context, uow: UnitOfWork, collection_id: UUID, field: str) -> GalleryCollection:
    viewer = require_gallery_keeper(ctx)
    collection = await queries.collection_for_update(uow.session, collection_id)
    if collection is None or not owns(viewer, collection.user_id):
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_COLLECTION, [field])
    return collection


async def create_collection(ctx: Context, name: str) -> GalleryCollection:
    """Names are unique per studio; the unique key decides concurrent creations."""
    viewer = require_gallery_keeper(ctx)
    cleaned = rules.clean_collection_name(name)
    try:
        async with ctx.db.unit_of_work() as uow:
            collection = GalleryCollection(user_id=viewer.user_id, name=cleaned)
            uow.session.add(collection)
            await uow.session.flush()
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, NAME_TAKEN, ["name"]) from None
    return collection


async def rename_collection(ctx: Context, collection_id: UUID, name: str) -> GalleryCollection:
    cleaned = rules.clean_collection_name(name)
    try:
        async with ctx.db.unit_of_work() as uow:
            collection = await _own_collection(ctx, uow, collection_id, "id")
            collection.name = cleaned
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, NAME_TAKEN, ["name"]) from None
    return collection


async def delete_collection(ctx: Context, collection_id: UUID) -> None:
    """The collection goes; its galleries stay."""
    async with ctx.db.unit_of_work() as uow:
        await uow.session.delete(await _own_collection(ctx, uow, collection_id, "id"))


async def add_galleries(ctx: Context, collection_id: UUID, gallery_ids: Sequence[UUID]) -> GalleryCollection:
    """The studio's own galleries only; any other refuses the whole request. Ones already there stay."""
    wanted = list(dict.fromkeys(gallery_ids))
    if not wanted:
        raise DomainError(ErrorCode.INVALID_INPUT, "Name at least one gallery.", ["galleryIds"])
    try:
        async with ctx.db.unit_of_work() as uow:
            collection = await _own_collection(ctx, uow, collection_id, "collectionId")
            if await queries.own_gallery_ids(uow.session, collection.user_id, wanted) != set(wanted):
                raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_GALLERY, ["galleryIds"])
            await queries.add_members(uow.session, collection.id, wanted)
    except ConstraintViolation:
        # A gallery was deleted while it was being added.
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_GALLERY, ["galleryIds"]) from None
    return collection


async def remove_galleries(ctx: Context, collection_id: UUID, gallery_ids: Sequence[UUID]) -> GalleryCollection:
    """Galleries not in the collection are no error: removing is idempotent."""
    if not gallery_ids:
        raise DomainError(ErrorCode.INVALID_INPUT, "Name at least one gallery.", ["galleryIds"])
    async with ctx.db.unit_of_work() as uow:
        collection = await _own_collection(ctx, uow, collection_id, "collectionId")
        await queries.remove_members(uow.session, collection.id, gallery_ids)
    return collection


async def list_own(ctx: Context, page: PageRequest) -> Page[GalleryCollection]:
    """The caller's collections by name."""
    viewer = require_gallery_keeper(ctx)
    query = queries.collections_of(viewer.user_id)
    return await paginate(ctx.reads, query, [GalleryCollection.name, GalleryCollection.id], page, descending=False)


async def by_id(ctx: Context, collection_id: UUID) -> GalleryCollection | None:
    collection = await ctx.loaders.gallery_collection.load(collection_id)
    return collection if collection is not None and owns(ctx.viewer, collection.user_id) else None


async def of_gallery(ctx: Context, gallery: Gallery) -> list[GalleryCollection]:
    return list(await ctx.loaders.gallery_collections_of_gallery.load(gallery.id))


async def gallery_count(ctx: Context, collection: GalleryCollection) -> int:
    return int(await ctx.loaders.gallery_collection_count.load(collection.id))
