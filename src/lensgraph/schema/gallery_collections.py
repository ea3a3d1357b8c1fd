"""Gallery collections: the studio's folders of galleries, their mutations and ``viewer.galleryCollections``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain.pagination import page_request
from lensgraph.persistence.models import GalleryCollection as GalleryCollectionRow
from lensgraph.resolvers import gallery_collections
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)


@node_type
@strawberry.type(
    description="A studio's folder of galleries; a gallery may be in several. Its galleries: "
    "`viewer.galleries(filter: {collectionId})`."
)
class GalleryCollection(Node):
    _row: strawberry.Private[GalleryCollectionRow]
    name: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: GalleryCollectionRow) -> GalleryCollection:
        return cls(_row=row, id=to_global_id("GalleryCollection", row.id), name=row.name, created_at=row.created_at)

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> GalleryCollection | None:
        row = await gallery_collections.by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def gallery_count(self, info: Info[Context, None]) -> int:
        return await gallery_collections.gallery_count(info.context, self._row)


@strawberry.input
class CreateGalleryCollectionInput:
    name: str = strawberry.field(description="1-100 characters, unique among your collections.")


@strawberry.input
class RenameGalleryCollectionInput:
    id: strawberry.ID
    name: str


@strawberry.input
class DeleteGalleryCollectionInput:
    id: strawberry.ID


@strawberry.input
class GalleryCollectionGalleriesInput:
    collection_id: strawberry.ID
    gallery_ids: list[strawberry.ID] = strawberry.field(description="Your own galleries.")


@strawberry.type
class GalleryCollectionPayload:
    gallery_collection: GalleryCollection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteGalleryCollectionPayload:
    deleted_gallery_collection_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _gallery_ids(given: list[strawberry.ID]) -> list[UUID]:
    return [expect_global_id(gallery_id, "Gallery", "galleryIds") for gallery_id in given]


@strawberry.type
class GalleryCollectionMutations:
    @strawberry.mutation(description="A folder for your galleries.")
    @returns_user_errors(GalleryCollectionPayload)
    async def create_gallery_collection(
        self, info: Info[Context, None], input: CreateGalleryCollectionInput
    ) -> GalleryCollectionPayload:
        row = await gallery_collections.create_collection(info.context, input.name)
        return GalleryCollectionPayload(gallery_collection=GalleryCollection.from_row(row))

    @strawberry.mutation
    @returns_user_errors(GalleryCollectionPayload)
    async def rename_gallery_collection(
        self, info: Info[Context, None], input: RenameGalleryCollectionInput
    ) -> GalleryCollectionPayload:
        collection_id = expect_global_id(input.id, "GalleryCollection")
        row = await gallery_collections.rename_collection(info.context, collection_id, input.name)
        return GalleryCollectionPayload(gallery_collection=GalleryCollection.from_row(row))

    @strawberry.mutation(description="Delete a collection; its galleries stay.")
    @returns_user_errors(DeleteGalleryCollectionPayload)
    async def delete_gallery_collection(
        self, info: Info[Context, None], input: DeleteGalleryCollectionInput
    ) -> DeleteGalleryCollectionPayload:
        await gallery_collections.delete_collection(info.context, expect_global_id(input.id, "GalleryCollection"))
        return DeleteGalleryCollectionPayload(deleted_gallery_collection_id=input.id)

    @strawberry.mutation(description="Put your galleries in the collection; ones already there stay.")
    @returns_user_errors(GalleryCollectionPayload)
    async def add_galleries_to_collection(
        self, info: Info[Context, None], input: GalleryCollectionGalleriesInput
    ) -> GalleryCollectionPayload:
        collection_id = expect_global_id(input.collection_id, "GalleryCollection", "collectionId")
        row = await gallery_collections.add_galleries(info.context, collection_id, _gallery_ids(input.gallery_ids))
        return GalleryCollectionPayload(gallery_collection=GalleryCollection.from_row(row))

    @strawberry.mutation(description="Take galleries out of the collection (they stay yours).")
    @returns_user_errors(GalleryCollectionPayload)
    async def remove_galleries_from_collection(
        self, info: Info[Context, None], input: GalleryCollectionGalleriesInput
    ) -> GalleryCollectionPayload:
        collection_id = expect_global_id(input.collection_id, "GalleryCollection", "collectionId")
        row = await gallery_collections.remove_galleries(info.context, collection_id, _gallery_ids(input.gallery_ids))
        return GalleryCollectionPayload(gallery_collection=GalleryCollection.from_row(row))


@strawberry.type
class ViewerGalleryCollections:
    """Fields of ``Viewer`` about gallery collections."""

    @strawberry.field(description="Studios and photographers: your gallery collections, by name.")
    async def gallery_collections(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[GalleryCollection]:
        page = await gallery_collections.list_own(info.context, page_request(first, after, last, before))
        return Connection[GalleryCollection].from_page(page, GalleryCollection.from_row)
