"""Proofing mutations (the client's, through the gallery access token; the studio's reopening) and the studio's
live feed of a gallery's activity."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry import Info

from lensgraph.domain import proofing as rules
from lensgraph.resolvers import gallery_activity, proofing
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import UserError, expect_global_id, returns_user_errors, to_global_id
from lensgraph.schema.galleries import ClientSelection, Gallery
from lensgraph.schema.proofing_types import GalleryComment
from lensgraph.schema.subscriptions import until_credential_expires

LIST_DESCRIPTION = f'Your list\'s name; "{rules.DEFAULT_LIST}" when left out.'


@strawberry.input(description="Send the gallery's access token in `X-Gallery-Token`: it names the gallery and you.")
class FavoritePhotoInput:
    photo_id: strawberry.ID
    list: str | None = strawberry.field(default=None, description=LIST_DESCRIPTION)


@strawberry.type
class FavoritePhotoPayload:
    selection: ClientSelection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UnfavoritePhotoInput:
    photo_id: strawberry.ID
    list: str | None = strawberry.field(default=None, description=LIST_DESCRIPTION)


@strawberry.type
class UnfavoritePhotoPayload:
    selection: ClientSelection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CommentOnGalleryPhotoInput:
    photo_id: strawberry.ID
    body: str


@strawberry.type
class CommentOnGalleryPhotoPayload:
    comment: GalleryComment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SubmitGallerySelectionInput:
    note: str | None = strawberry.field(default=None, description="A word for your photographer.")
    list: str | None = strawberry.field(default=None, description=LIST_DESCRIPTION)


@strawberry.type
class SubmitGallerySelectionPayload:
    selection: ClientSelection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReopenGallerySelectionInput:
    gallery_id: strawberry.ID
    client_email: str


@strawberry.type
class ReopenGallerySelectionPayload:
    gallery: Gallery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProofingMutations:
    @strawberry.mutation(
        description="Clients: add a photo of the gallery to one of your lists. Past the gallery's `selectionMax`: "
        "SELECTION_LIMIT; in a submitted list: INVALID_TRANSITION."
    )
    @returns_user_errors(FavoritePhotoPayload)
    async def favorite_photo(self, info: Info[Context, None], input: FavoritePhotoInput) -> FavoritePhotoPayload:
        photo_id = expect_global_id(input.photo_id, "Photo", "photoId")
        return FavoritePhotoPayload(
            selection=ClientSelection.of(await proofing.favorite(info.context, photo_id, input.list))
        )

    @strawberry.mutation(description="Clients: take a photo out of one of your lists (not once it is submitted).")
    @returns_user_errors(UnfavoritePhotoPayload)
    async def unfavorite_photo(self, info: Info[Context, None], input: UnfavoritePhotoInput) -> UnfavoritePhotoPayload:
        photo_id = expect_global_id(input.photo_id, "Photo", "photoId")
        selection = await proofing.unfavorite(info.context, photo_id, input.list)
        return UnfavoritePhotoPayload(selection=ClientSelection.of(selection))

    @strawberry.mutation(description="Clients: a comment on a photo of the gallery, for your photographer.")
    @returns_user_errors(CommentOnGalleryPhotoPayload)
    async def comment_on_gallery_photo(
        self, info: Info[Context, None], input: CommentOnGalleryPhotoInput
    ) -> CommentOnGalleryPhotoPayload:
        photo_id = expect_global_id(input.photo_id, "Photo", "photoId")
        row = await proofing.comment(info.context, photo_id, input.body)
        return CommentOnGalleryPhotoPayload(comment=GalleryComment.from_row(row))

    @strawberry.mutation(
        description="Clients: send a list to your photographer; it is frozen until they reopen it. Outside the "
        "gallery's `selectionMin`..`selectionMax`: SELECTION_LIMIT."
    )
    @returns_user_errors(SubmitGallerySelectionPayload)
    async def submit_gallery_selection(
        self, info: Info[Context, None], input: SubmitGallerySelectionInput
    ) -> SubmitGallerySelectionPayload:
        selection = await proofing.submit(info.context, input.note, input.list)
        return SubmitGallerySelectionPayload(selection=ClientSelection.of(selection))

    @strawberry.mutation(description="Studios: open a client's submitted lists again, for them to change.")
    @returns_user_errors(ReopenGallerySelectionPayload)
    async def reopen_gallery_selection(
        self, info: Info[Context, None], input: ReopenGallerySelectionInput
    ) -> ReopenGallerySelectionPayload:
        gallery_id = expect_global_id(input.gallery_id, "Gallery", "galleryId")
        row = await proofing.reopen(info.context, gallery_id, input.client_email)
        return ReopenGallerySelectionPayload(gallery=Gallery.from_row(row))


GalleryActivityKind = strawberry.enum(
    rules.GalleryActivityKind,
    description="A client opened the gallery (once a day), picked a favourite, submitted a selection, or downloaded.",
)


@strawberry.type(description="Something a client did in one of your galleries, as it happened.")
class GalleryActivity:
    kind: GalleryActivityKind  # type: ignore[valid-type]
    gallery: Gallery
    occurred_at: datetime = strawberry.field(description="When the server passed it on.")
    client_email: str | None = strawberry.field(description="The client, when the event names one.")
    list_name: str | None = strawberry.field(name="list")
    photo_id: strawberry.ID | None

    @classmethod
    def of(cls, item: gallery_activity.Activity) -> GalleryActivity:
        return cls(
            kind=item.kind,
            gallery=Gallery.from_row(item.gallery),
            occurred_at=item.occurred_at,
            client_email=item.client_email,
            list_name=item.list_name,
            photo_id=to_global_id("Photo", item.photo_id) if item.photo_id else None,
        )


@strawberry.type
class ProofingSubscriptions:
    @strawberry.subscription(
        description="Studios: your gallery's client activity as it happens (views, favourites, validated "
        "selections, downloads)."
    )
    async def gallery_activity(
        self, info: Info[Context, None], gallery_id: strawberry.ID
    ) -> AsyncGenerator[GalleryActivity, None]:
        items = gallery_activity.activity(info.context, expect_global_id(gallery_id, "Gallery", "galleryId"))
        async for item in until_credential_expires(info.context.request, items):
            yield GalleryActivity.of(item)
