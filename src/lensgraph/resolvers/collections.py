"""Collections: a photographer's curated, ordered sets of their own photos, public or private."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

from lensgraph.domain import collections as rules
from lensgraph.domain import photos as photo_rules
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.pagination import PageRequest, encode_cursor
from lensgraph.domain.photos import Visibility
from lensgraph.domain.policies import Viewer, can_publish, can_view_collection, owns
from lensgraph.persistence import collections as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.collections import CollectionPhotosKey, CountKey
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.models import Collection, CollectionPhoto, Photo
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.context import Context

SLUG_TAKEN = "This slug is taken; choose another."


def require_curator(ctx: Context) -> Viewer:
    viewer = ctx.require_viewer()
    if not can_publish(viewer):
        raise forbidden("Only photographers and studios keep collections and portfolios.")
    return viewer


async def _own_collection(ctx: Context, uow: UnitOfWork, collection_id: UUID, field: str) -> Collection:
    """The caller's collection, locked for the change; anyone else's reads as not found."""
    viewer = require_curator(ctx)
    collection = await queries.collection_for_update(uow.session, collection_id)
    if collection is None or not owns(viewer, collection.user_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such collection of yours.", [field])
    return collection


async def create_collection(
    ctx: Context, *, title: str, description: str | None, visibility: Visibility, slug: str | None
) -> Collection:
    """A slug that is asked for must be free (the unique index decides: no read before the insert); one derived
    from the title gets the first free number."""
    viewer = require_curator(ctx)
    title = photo_rules.clean_title(title)
    description = photo_rules.clean_description(description)
    chosen = rules.clean_slug(slug) if slug is not None else None
    if chosen is None:
        base = rules.slug_from_title(title)
        async with ctx.db.session() as session:
            chosen = rules.first_free_slug(base, await queries.slugs_numbered_from(session, base))
    try:
        return await queries.insert_collection(
            ctx.db, user_id=viewer.user_id, title=title, description=description, visibility=visibility, slug=chosen
        )
    except ConstraintViolation:
        # Another collection has the slug (taken before, or between the numbering read and the insert).
        raise DomainError(ErrorCode.ALREADY_EXISTS, SLUG_TAKEN, ["slug"]) from None


async def update_collection(
    ctx: Context,
    collection_id: UUID,
    *,
    title: str | None,
    description: str | None,
    visibility: Visibility | None,
    slug: str | None,
) -> Collection:
    try:
        async with ctx.db.unit_of_work() as uow:
            collection = await _own_collection(ctx, uow, collection_id, "id")
            if title is not None:
                collection.title = photo_rules.clean_title(title)
            if description is not None:
                collection.description = photo_rules.clean_description(description)
            if visibility is not None:
                collection.visibility = visibility
            if slug is not None and (chosen := rules.clean_slug(slug)) != collection.slug:
                if await queries.slug_taken(uow.session, chosen):
                    raise DomainError(ErrorCode.ALREADY_EXISTS, SLUG_TAKEN, ["slug"])
                collection.slug = chosen
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, SLUG_TAKEN, ["slug"]) from None
    return collection


async def delete_collection(ctx: Context, collection_id: UUID) -> None:
    """The collection goes; its photos stay."""
    async with ctx.db.unit_of_work() as uow:
        await uow.session.delete(await _own_collection(ctx, uow, collection_id, "id"))


async def add_photo(ctx: Context, collection_id: UUID, photo_id: UUID) -> Collection:
    """Appends one of your own photos; a photo already there keeps its place.

    Another person's photo is NOT_FOUND, like any photo that is not yours to change, whether or not
    you could see it: the answer does not reveal which private photos exist.
    """
    try:
        async with ctx.db.unit_of_work() as uow:
            collection = await _own_collection(ctx, uow, collection_id, "collectionId")
            photo = await uow.session.get(Photo, photo_id)
            if photo is None or not owns(ctx.viewer, photo.user_id):
                raise DomainError(ErrorCode.NOT_FOUND, "No such photo of yours.", ["photoId"])
            if not await queries.holds_photo(uow.session, collection.id, photo.id):
                count, position = await queries.photo_count_and_next_position(uow.session, collection.id)
                rules.check_room(count)
                if await queries.append_photo(uow.session, collection.id, photo.id, position):
                    collection.updated_at = utcnow()
    except ConstraintViolation:
        # The photo was deleted while it was being added.
        raise DomainError(ErrorCode.NOT_FOUND, "No such photo of yours.", ["photoId"]) from None
    return collection


async def remove_photo(ctx: Context, collection_id: UUID, photo_id: UUID) -> Collection:
    async with ctx.db.unit_of_work() as uow:
        collection = await _own_collection(ctx, uow, collection_id, "collectionId")
        if not await queries.remove_photo(uow.session, collection.id, photo_id):
            raise DomainError(ErrorCode.NOT_FOUND, "This photo is not in the collection.", ["photoId"])
        collection.updated_at = utcnow()
    return collection


async def reorder(ctx: Context, collection_id: UUID, photo_ids: Sequence[UUID]) -> Collection:
    async with ctx.db.unit_of_work() as uow:
        collection = await _own_collection(ctx, uow, collection_id, "collectionId")
        ordered = rules.check_reorder(await queries.photo_ids_in(uow.session, collection.id), photo_ids)
        await queries.set_positions(uow.session, collection.id, ordered)
        collection.updated_at = utcnow()
    return collection


# Reading ----------------------------------------------------------------------------------------


async def list_own(ctx: Context, page: PageRequest) -> Page[Collection]:
    """Your collections, newest first, private ones included."""
    viewer = ctx.require_viewer()
    return await _page_of_collections(ctx, viewer.user_id, page, public_only=False)


async def list_public(ctx: Context, user_id: UUID, page: PageRequest) -> Page[Collection]:
    return await _page_of_collections(ctx, user_id, page, public_only=True)


async def _page_of_collections(
    ctx: Context, user_id: UUID, page: PageRequest, *, public_only: bool
) -> Page[Collection]:
    return await paginate(
        ctx.reads,
        queries.collections_of(user_id, public_only=public_only),
        [Collection.created_at, Collection.id],
        page,
        descending=True,
    )


async def by_slug(ctx: Context, slug: str) -> Collection | None:
    """A PUBLIC collection, or your own PRIVATE one; null otherwise, as if it did not exist."""
    async with ctx.db.session() as session:
        return _if_visible(ctx, await queries.collection_by_slug(session, slug.strip().lower()))


async def by_id(ctx: Context, collection_id: UUID) -> Collection | None:
    return _if_visible(ctx, await ctx.loaders.collection.load(collection_id))


def _if_visible(ctx: Context, collection: Collection | None) -> Collection | None:
    if collection is None or not can_view_collection(ctx.viewer, collection.user_id, collection.visibility):
        return None
    return collection


def _public_only(ctx: Context, collection: Collection) -> bool:
    """Everyone but the owner sees only the photos they may see (READY and PUBLIC)."""
    return not owns(ctx.viewer, collection.user_id)


async def photo_count(ctx: Context, collection: Collection) -> int:
    return await ctx.loaders.collection_photo_count.load(CountKey(collection.id, _public_only(ctx, collection)))


async def cover_photo(ctx: Context, collection: Collection) -> Photo | None:
    """The first photo the viewer may see, in the collection's order."""
    first = await ctx.loaders.collection_photos.load(
        CollectionPhotosKey(collection.id, _public_only(ctx, collection), 1)
    )
    return first[0].photo if first else None


async def photos_in(ctx: Context, collection: Collection, page: PageRequest) -> Page[Photo]:
    """A page of the collection's photos in order; keyset on (position, photo id).

    First pages (the common case: a list of collections, each with its first photos) come from one
    batched, windowed query for all collections on the page; later pages are read per collection.
    totalCount comes from the batched photo count.
    """
    public_only = _public_only(ctx, collection)

    async def count() -> int:
        return await ctx.loaders.collection_photo_count.load(CountKey(collection.id, public_only))

    if page.cursor is None and not page.backward:
        entries = await ctx.loaders.collection_photos.load(CollectionPhotosKey(collection.id, public_only, page.limit))
        shown = entries[: page.limit]
        return Page(
            rows=[entry.photo for entry in shown],
            # The cursor paginate() makes for the keys (position, photo_id), so `after` pages continue it.
            cursors=[encode_cursor((entry.position, str(entry.photo.id))) for entry in shown],
            has_next_page=len(entries) > page.limit,
            has_previous_page=False,
            count=count,
        )
    places = await paginate(
        ctx.reads,
        queries.entries_of(collection.id, public_only=public_only),
        [CollectionPhoto.position, CollectionPhoto.photo_id],
        page,
        descending=False,
    )
    return await page_of_photos(ctx, places, [place.photo_id for place in places.rows], count)


async def page_of_photos(
    ctx: Context, links: Page[Any], photo_ids: list[UUID], count: Callable[[], Awaitable[int]]
) -> Page[Photo]:
    """A page of link rows (collection places, lightbox items) as the photos they point to, in one batch."""
    photos = await ctx.loaders.photo.load_many(photo_ids)
    # A photo deleted since the page was read is left out, with its cursor.
    kept = [(cursor, photo) for cursor, photo in zip(links.cursors, photos, strict=True) if photo is not None]
    return Page(
        rows=[photo for _, photo in kept],
        cursors=[cursor for cursor, _ in kept],
        has_next_page=links.has_next_page,
        has_previous_page=links.has_previous_page,
        count=count,
    )


async def holding_photo(ctx: Context, photo: Photo) -> list[Collection]:
    """The collections holding a photo that the viewer may see: the PUBLIC ones, and all of their own."""
    collections = await ctx.loaders.collections_holding_photo.load(photo.id)
    return [item for item in collections if can_view_collection(ctx.viewer, item.user_id, item.visibility)]
