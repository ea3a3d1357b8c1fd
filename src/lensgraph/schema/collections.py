"""Collections (curated, ordered sets of a photographer's photos) and a brand's lightbox."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain.pagination import page_request
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import Collection as CollectionRow
from lensgraph.persistence.models import Photo as PhotoRow
from lensgraph.resolvers import collections, lightbox
from lensgraph.resolvers.context import Context
from lensgraph.schema.accounts import User
from lensgraph.schema.core import (
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.photos import Photo, Visibility


@node_type
@strawberry.type(description="A photographer's curated, ordered set of their own photos.")
class Collection(Node):
    _row: strawberry.Private[CollectionRow]
    title: str
    slug: str = strawberry.field(description="Unique across Lensgraph: `collection(slug:)` finds it.")
    description: str
    visibility: Visibility  # type: ignore[valid-type]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: CollectionRow) -> Collection:
        return cls(
            _row=row,
            id=to_global_id("Collection", row.id),
            title=row.title,
            slug=row.slug,
            description=row.description,
            visibility=row.visibility,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Collection | None:
        row = await collections.by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def owner(self, info: Info[Context, None]) -> User:
        return User.from_row(await referenced(info.context.loaders.user, self._row.user_id))

    @strawberry.field(description="How many of its photos you may see (the owner: all of them).")
    async def photo_count(self, info: Info[Context, None]) -> int:
        return await collections.photo_count(info.context, self._row)

    @strawberry.field(description="The first photo you may see, in the collection's order.")
    async def cover_photo(self, info: Info[Context, None]) -> Photo | None:
        row = await collections.cover_photo(info.context, self._row)
        return Photo.from_row(row) if row else None

    @strawberry.field(description="In the owner's order. Others see only the READY, PUBLIC photos.")
    async def photos(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Photo]:
        page = await collections.photos_in(info.context, self._row, page_request(first, after, last, before))
        return Connection[Photo].from_page(page, Photo.from_row)


async def collections_of_photo(info: Info[Context, None], photo: PhotoRow) -> list[Collection]:
    """``Photo.collections``: the PUBLIC collections holding the photo, and all of the viewer's own."""
    return [Collection.from_row(row) for row in await collections.holding_photo(info.context, photo)]


@strawberry.type
class ViewerCollections:
    """Fields of ``Viewer`` about collections and the lightbox."""

    @strawberry.field(description="Your collections, newest first, private ones included.")
    async def collections(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Collection]:
        page = await collections.list_own(info.context, page_request(first, after, last, before))
        return Connection[Collection].from_page(page, Collection.from_row)

    @strawberry.field(description="Photos you saved, newest saved first. Brands only.")
    async def lightbox(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Photo]:
        page = await lightbox.list_items(info.context, page_request(first, after, last, before))
        return Connection[Photo].from_page(page, Photo.from_row)


@strawberry.type
class CollectionQueries:
    @strawberry.field(description="A PUBLIC collection, or your own PRIVATE one, by its slug; null otherwise.")
    async def collection(self, info: Info[Context, None], slug: str) -> Collection | None:
        row = await collections.by_slug(info.context, slug)
        return Collection.from_row(row) if row else None


# Inputs and payloads ---------------------------------------------------------------------------


@strawberry.input
class CreateCollectionInput:
    title: str
    visibility: Visibility = strawberry.field(  # type: ignore[valid-type]
        default=Visibility.PRIVATE, description="PRIVATE unless said otherwise: nothing is shown before it is meant to."
    )
    description: str | None = None
    slug: str | None = strawberry.field(
        default=None, description="3-80 of a-z, 0-9 and dashes. Left out: made from the title, numbered if taken."
    )


@strawberry.type
class CreateCollectionPayload:
    collection: Collection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateCollectionInput:
    id: strawberry.ID
    title: str | None = None
    description: str | None = None
    visibility: Visibility | None = None  # type: ignore[valid-type]
    slug: str | None = None


@strawberry.type
class UpdateCollectionPayload:
    collection: Collection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteCollectionInput:
    id: strawberry.ID


@strawberry.type
class DeleteCollectionPayload:
    deleted_collection_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AddPhotoToCollectionInput:
    collection_id: strawberry.ID
    photo_id: strawberry.ID = strawberry.field(description="One of your own photos.")


@strawberry.type
class AddPhotoToCollectionPayload:
    collection: Collection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RemovePhotoFromCollectionInput:
    collection_id: strawberry.ID
    photo_id: strawberry.ID


@strawberry.type
class RemovePhotoFromCollectionPayload:
    collection: Collection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReorderCollectionInput:
    collection_id: strawberry.ID
    photo_ids: list[strawberry.ID] = strawberry.field(description="Every photo of the collection, in the new order.")


@strawberry.type
class ReorderCollectionPayload:
    collection: Collection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AddToLightboxInput:
    photo_id: strawberry.ID


@strawberry.type
class AddToLightboxPayload:
    photo: Photo | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RemoveFromLightboxInput:
    photo_id: strawberry.ID


@strawberry.type
class RemoveFromLightboxPayload:
    removed_photo_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ClearLightboxPayload:
    removed_count: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CollectionMutations:
    @strawberry.mutation(description="Photographers and studios: start a collection of your photos.")
    @returns_user_errors(CreateCollectionPayload)
    async def create_collection(
        self, info: Info[Context, None], input: CreateCollectionInput
    ) -> CreateCollectionPayload:
        row = await collections.create_collection(
            info.context, title=input.title, description=input.description, visibility=input.visibility, slug=input.slug
        )
        return CreateCollectionPayload(collection=Collection.from_row(row))

    @strawberry.mutation(description="Change what is given; the rest stays.")
    @returns_user_errors(UpdateCollectionPayload)
    async def update_collection(
        self, info: Info[Context, None], input: UpdateCollectionInput
    ) -> UpdateCollectionPayload:
        row = await collections.update_collection(
            info.context,
            expect_global_id(input.id, "Collection"),
            title=input.title,
            description=input.description,
            visibility=input.visibility,
            slug=input.slug,
        )
        return UpdateCollectionPayload(collection=Collection.from_row(row))

    @strawberry.mutation(description="Delete a collection; its photos stay.")
    @returns_user_errors(DeleteCollectionPayload)
    async def delete_collection(
        self, info: Info[Context, None], input: DeleteCollectionInput
    ) -> DeleteCollectionPayload:
        await collections.delete_collection(info.context, expect_global_id(input.id, "Collection"))
        return DeleteCollectionPayload(deleted_collection_id=input.id)

    @strawberry.mutation(description="Append one of your photos; one that is there already keeps its place.")
    @returns_user_errors(AddPhotoToCollectionPayload)
    async def add_photo_to_collection(
        self, info: Info[Context, None], input: AddPhotoToCollectionInput
    ) -> AddPhotoToCollectionPayload:
        row = await collections.add_photo(
            info.context,
            expect_global_id(input.collection_id, "Collection", "collectionId"),
            expect_global_id(input.photo_id, "Photo", "photoId"),
        )
        return AddPhotoToCollectionPayload(collection=Collection.from_row(row))

    @strawberry.mutation
    @returns_user_errors(RemovePhotoFromCollectionPayload)
    async def remove_photo_from_collection(
        self, info: Info[Context, None], input: RemovePhotoFromCollectionInput
    ) -> RemovePhotoFromCollectionPayload:
        row = await collections.remove_photo(
            info.context,
            expect_global_id(input.collection_id, "Collection", "collectionId"),
            expect_global_id(input.photo_id, "Photo", "photoId"),
        )
        return RemovePhotoFromCollectionPayload(collection=Collection.from_row(row))

    @strawberry.mutation(description="Put the collection's photos in a new order: name every one of them once.")
    @returns_user_errors(ReorderCollectionPayload)
    async def reorder_collection(
        self, info: Info[Context, None], input: ReorderCollectionInput
    ) -> ReorderCollectionPayload:
        row = await collections.reorder(
            info.context,
            expect_global_id(input.collection_id, "Collection", "collectionId"),
            [expect_global_id(photo_id, "Photo", "photoIds") for photo_id in input.photo_ids],
        )
        return ReorderCollectionPayload(collection=Collection.from_row(row))

    @strawberry.mutation(description="Brands: save a photo you may see. Saving it again changes nothing.")
    @returns_user_errors(AddToLightboxPayload)
    async def add_to_lightbox(self, info: Info[Context, None], input: AddToLightboxInput) -> AddToLightboxPayload:
        row = await lightbox.add(info.context, expect_global_id(input.photo_id, "Photo", "photoId"))
        return AddToLightboxPayload(photo=Photo.from_row(row))

    @strawberry.mutation
    @returns_user_errors(RemoveFromLightboxPayload)
    async def remove_from_lightbox(
        self, info: Info[Context, None], input: RemoveFromLightboxInput
    ) -> RemoveFromLightboxPayload:
        await lightbox.remove(info.context, expect_global_id(input.photo_id, "Photo", "photoId"))
        return RemoveFromLightboxPayload(removed_photo_id=input.photo_id)

    @strawberry.mutation(description="Empty your lightbox.")
    @returns_user_errors(ClearLightboxPayload)
    async def clear_lightbox(self, info: Info[Context, None]) -> ClearLightboxPayload:
        return ClearLightboxPayload(removed_count=await lightbox.clear(info.context))
