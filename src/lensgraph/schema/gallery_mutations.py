"""Mutations on client galleries: the studio's changes, and the client's ``unlockGallery``."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain.galleries import DownloadPolicy as DownloadPolicyValue
from lensgraph.domain.galleries import WatermarkKind as WatermarkKindValue
from lensgraph.resolvers import galleries, gallery_access, gallery_downloads
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.galleries import GalleryFields
from lensgraph.schema.core import UserError, expect_global_id, returns_user_errors
from lensgraph.schema.galleries import ClientGallery, DownloadPolicy, Gallery, GallerySet
from lensgraph.schema.gallery_branding import WatermarkKind


@strawberry.input
class CreateGalleryInput:
    title: str
    slug: str | None = strawberry.field(
        default=None, description="3-80 of a-z, 0-9 and dashes. Left out: made from the title, numbered if taken."
    )
    cover_photo_id: strawberry.ID | None = strawberry.field(default=None, description="One of your own photos.")
    event_date: date | None = None
    client_email: str | None = None
    client_name: str | None = None
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Studios: one of your clients; their first email and name become the gallery's."
    )
    password: str | None = strawberry.field(default=None, description="Set: clients unlock the gallery with it.")
    expires_at: datetime | None = strawberry.field(default=None, description="After it, the gallery opens to no one.")
    download_policy: DownloadPolicy = DownloadPolicyValue.NONE  # type: ignore[valid-type]
    download_pin: str | None = strawberry.field(
        default=None, description="4 to 8 digits: set, clients give it to download (stored hashed)."
    )
    watermark: bool = False
    watermark_text: str | None = None
    watermark_kind: WatermarkKind = WatermarkKindValue.TEXT  # type: ignore[valid-type]
    accent_color: str | None = strawberry.field(default=None, description="#RRGGBB.")
    selection_min: int | None = strawberry.field(
        default=None, description="Proofing: a client submits a selection of at least this many photos."
    )
    selection_max: int | None = strawberry.field(
        default=None, description="Proofing: a client's list holds at most this many photos."
    )
    print_store: bool = strawberry.field(default=False, description="Clients may order prints of its photos.")


@strawberry.input(description="Change what is given; the rest stays.")
class UpdateGalleryInput:
    id: strawberry.ID
    version: int | None = strawberry.field(default=None, description="The version you read: a stale one is CONFLICT.")
    title: str | None = None
    slug: str | None = None
    cover_photo_id: strawberry.ID | None = None
    event_date: date | None = None
    client_email: str | None = None
    client_name: str | None = None
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Link the gallery to one of your clients (their email and name follow)."
    )
    unlink_client: bool = False
    password: str | None = None
    remove_password: bool = strawberry.field(default=False, description="Open the gallery to anyone with its link.")
    expires_at: datetime | None = None
    remove_expiry: bool = False
    download_policy: DownloadPolicy | None = None  # type: ignore[valid-type]
    download_pin: str | None = strawberry.field(default=None, description="4 to 8 digits; replaces the PIN.")
    remove_download_pin: bool = strawberry.field(default=False, description="Downloads need no PIN any more.")
    watermark: bool | None = None
    watermark_text: str | None = None
    watermark_kind: WatermarkKind | None = None  # type: ignore[valid-type]
    accent_color: str | None = None
    selection_min: int | None = None
    selection_max: int | None = None
    remove_selection_limits: bool = strawberry.field(
        default=False, description="Clear both selection limits (then set either anew in the same change)."
    )
    print_store: bool | None = strawberry.field(default=None, description="Clients may order prints of its photos.")


def _client_key(global_id: strawberry.ID | None) -> UUID | None:
    return expect_global_id(global_id, "Client", "clientId") if global_id is not None else None


@strawberry.type
class GalleryPayload:
    gallery: Gallery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ArchiveGalleryInput:
    id: strawberry.ID
    version: int | None = None


@strawberry.input
class RestoreGalleryInput:
    id: strawberry.ID
    version: int | None = None


@strawberry.input
class DeleteGalleryInput:
    id: strawberry.ID


@strawberry.type
class DeleteGalleryPayload:
    deleted_gallery_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AddPhotosToGalleryInput:
    gallery_id: strawberry.ID
    photo_ids: list[strawberry.ID] = strawberry.field(description="Your own photos, appended in this order.")
    set_id: strawberry.ID | None = strawberry.field(
        default=None, description="Put them in this set of the gallery (ones already there move into it)."
    )


@strawberry.input
class RemovePhotoFromGalleryInput:
    gallery_id: strawberry.ID
    photo_id: strawberry.ID


@strawberry.input
class ReorderGalleryInput:
    gallery_id: strawberry.ID
    photo_ids: list[strawberry.ID] = strawberry.field(description="Every photo of the gallery, in the new order.")


@strawberry.input
class CreateGallerySetInput:
    gallery_id: strawberry.ID
    name: str = strawberry.field(description="Unique within the gallery; the new set goes last.")


@strawberry.type
class CreateGallerySetPayload:
    gallery_set: GallerySet | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReorderGallerySetsInput:
    gallery_id: strawberry.ID
    set_ids: list[strawberry.ID] = strawberry.field(description="Every set of the gallery, in the new order.")


@strawberry.input
class UnlockGalleryInput:
    slug: str
    email: str
    password: str | None = strawberry.field(default=None, description="Needed when the gallery is protected.")


@strawberry.type
class UnlockGalleryPayload:
    access_token: str | None = strawberry.field(
        default=None, description="Send it as the `X-Gallery-Token` header; it opens this gallery only."
    )
    expires_at: datetime | None = None
    gallery: ClientGallery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Name photos, or a set, or neither for the whole gallery.")
class RequestGalleryDownloadInput:
    slug: str
    photo_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Photos of the gallery (at most 500), zipped in the gallery's order."
    )
    set_id: strawberry.ID | None = strawberry.field(default=None, description="One set of the gallery.")
    pin: str | None = strawberry.field(default=None, description="The gallery's download PIN, when it has one.")


@strawberry.type
class RequestGalleryDownloadPayload:
    url: str | None = strawberry.field(
        default=None,
        description="GET it for the zip (streamed): a link for this download only, good for a few minutes. The "
        "download is recorded when its stream has ended.",
    )
    expires_at: datetime | None = None
    photo_count: int | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GalleryMutations:
    @strawberry.mutation(description="Studios and photographers: a gallery to deliver photos to a client.")
    @returns_user_errors(GalleryPayload)
    async def create_gallery(self, info: Info[Context, None], input: CreateGalleryInput) -> GalleryPayload:
        fields = GalleryFields(
            title=input.title,
            slug=input.slug,
            cover_photo_id=expect_global_id(input.cover_photo_id, "Photo", "coverPhotoId")
            if input.cover_photo_id is not None
            else None,
            event_date=input.event_date,
            client_email=input.client_email,
            client_name=input.client_name,
            client_id=_client_key(input.client_id),
            password=input.password,
            expires_at=input.expires_at,
            download_policy=input.download_policy,
            download_pin=input.download_pin,
            watermark=input.watermark,
            watermark_text=input.watermark_text,
            watermark_kind=input.watermark_kind,
            accent_color=input.accent_color,
            selection_min=input.selection_min,
            selection_max=input.selection_max,
            print_store=input.print_store,
        )
        return GalleryPayload(gallery=Gallery.from_row(await galleries.create_gallery(info.context, fields)))

    @strawberry.mutation(description="Change what is given; the rest stays.")
    @returns_user_errors(GalleryPayload)
    async def update_gallery(self, info: Info[Context, None], input: UpdateGalleryInput) -> GalleryPayload:
        fields = GalleryFields(
            title=input.title,
            slug=input.slug,
            cover_photo_id=expect_global_id(input.cover_photo_id, "Photo", "coverPhotoId")
            if input.cover_photo_id is not None
            else None,
            event_date=input.event_date,
            client_email=input.client_email,
            client_name=input.client_name,
            client_id=_client_key(input.client_id),
            unlink_client=input.unlink_client,
            password=input.password,
            remove_password=input.remove_password,
            expires_at=input.expires_at,
            remove_expiry=input.remove_expiry,
            download_policy=input.download_policy,
            download_pin=input.download_pin,
            remove_download_pin=input.remove_download_pin,
            watermark=input.watermark,
            watermark_text=input.watermark_text,
            watermark_kind=input.watermark_kind,
            accent_color=input.accent_color,
            selection_min=input.selection_min,
            selection_max=input.selection_max,
            remove_selection_limits=input.remove_selection_limits,
            print_store=input.print_store,
        )
        row = await galleries.update_gallery(info.context, expect_global_id(input.id, "Gallery"), input.version, fields)
        return GalleryPayload(gallery=Gallery.from_row(row))

    @strawberry.mutation(description="Close an ACTIVE gallery to its clients; it stays yours to see.")
    @returns_user_errors(GalleryPayload)
    async def archive_gallery(self, info: Info[Context, None], input: ArchiveGalleryInput) -> GalleryPayload:
        row = await galleries.archive_gallery(info.context, expect_global_id(input.id, "Gallery"), input.version)
        return GalleryPayload(gallery=Gallery.from_row(row))

    @strawberry.mutation(
        description="Open an ARCHIVED gallery to its clients again (anything else: INVALID_TRANSITION)."
    )
    @returns_user_errors(GalleryPayload)
    async def restore_gallery(self, info: Info[Context, None], input: RestoreGalleryInput) -> GalleryPayload:
        row = await galleries.restore_gallery(info.context, expect_global_id(input.id, "Gallery"), input.version)
        return GalleryPayload(gallery=Gallery.from_row(row))

    @strawberry.mutation(description="Delete a gallery; its photos stay in your library.")
    @returns_user_errors(DeleteGalleryPayload)
    async def delete_gallery(self, info: Info[Context, None], input: DeleteGalleryInput) -> DeleteGalleryPayload:
        await galleries.delete_gallery(info.context, expect_global_id(input.id, "Gallery"))
        return DeleteGalleryPayload(deleted_gallery_id=input.id)

    @strawberry.mutation(
        description="Append your own photos and videos (a video is a Photo of kind VIDEO); ones already there keep "
        "their place."
    )
    @returns_user_errors(GalleryPayload)
    async def add_photos_to_gallery(self, info: Info[Context, None], input: AddPhotosToGalleryInput) -> GalleryPayload:
        row = await galleries.add_photos(
            info.context,
            expect_global_id(input.gallery_id, "Gallery", "galleryId"),
            [expect_global_id(photo_id, "Photo", "photoIds") for photo_id in input.photo_ids],
            expect_global_id(input.set_id, "GallerySet", "setId") if input.set_id is not None else None,
        )
        return GalleryPayload(gallery=Gallery.from_row(row))

    @strawberry.mutation(description="A named part of your gallery, placed last.")
    @returns_user_errors(CreateGallerySetPayload)
    async def create_gallery_set(
        self, info: Info[Context, None], input: CreateGallerySetInput
    ) -> CreateGallerySetPayload:
        row = await galleries.create_set(
            info.context, expect_global_id(input.gallery_id, "Gallery", "galleryId"), input.name
        )
        return CreateGallerySetPayload(gallery_set=GallerySet.from_row(row))

    @strawberry.mutation(description="Put the gallery's sets in a new order: name every one of them once.")
    @returns_user_errors(GalleryPayload)
    async def reorder_gallery_sets(self, info: Info[Context, None], input: ReorderGallerySetsInput) -> GalleryPayload:
        row = await galleries.reorder_sets(
            info.context,
            expect_global_id(input.gallery_id, "Gallery", "galleryId"),
            [expect_global_id(set_id, "GallerySet", "setIds") for set_id in input.set_ids],
        )
        return GalleryPayload(gallery=Gallery.from_row(row))

    @strawberry.mutation
    @returns_user_errors(GalleryPayload)
    async def remove_photo_from_gallery(
        self, info: Info[Context, None], input: RemovePhotoFromGalleryInput
    ) -> GalleryPayload:
        row = await galleries.remove_photo(
            info.context,
            expect_global_id(input.gallery_id, "Gallery", "galleryId"),
            expect_global_id(input.photo_id, "Photo", "photoId"),
        )
        return GalleryPayload(gallery=Gallery.from_row(row))

    @strawberry.mutation(description="Put the gallery's photos in a new order: name every one of them once.")
    @returns_user_errors(GalleryPayload)
    async def reorder_gallery(self, info: Info[Context, None], input: ReorderGalleryInput) -> GalleryPayload:
        row = await galleries.reorder(
            info.context,
            expect_global_id(input.gallery_id, "Gallery", "galleryId"),
            [expect_global_id(photo_id, "Photo", "photoIds") for photo_id in input.photo_ids],
        )
        return GalleryPayload(gallery=Gallery.from_row(row))

    @strawberry.mutation(
        description="Clients: open a gallery with its password and your email. Wrong passwords are counted per "
        "gallery and address: past the limit, RATE_LIMITED for a while."
    )
    @returns_user_errors(UnlockGalleryPayload)
    async def unlock_gallery(self, info: Info[Context, None], input: UnlockGalleryInput) -> UnlockGalleryPayload:
        unlocked = await gallery_access.unlock(info.context, input.slug, input.password, input.email)
        return UnlockGalleryPayload(
            access_token=unlocked.token,
            expires_at=unlocked.expires_at,
            gallery=ClientGallery.from_row(unlocked.gallery),
        )

    @strawberry.mutation(
        description="Clients, with the gallery's X-Gallery-Token: a link to a zip of some photos, a set or the whole "
        "gallery, in the size its policy gives. DOWNLOADS_DISABLED when the policy is NONE; WRONG_PIN without the "
        "right download PIN (counted per gallery and address: past the limit, RATE_LIMITED for a while)."
    )
    @returns_user_errors(RequestGalleryDownloadPayload)
    async def request_gallery_download(
        self, info: Info[Context, None], input: RequestGalleryDownloadInput
    ) -> RequestGalleryDownloadPayload:
        requested = await gallery_downloads.request_download(
            info.context,
            input.slug,
            [expect_global_id(photo_id, "Photo", "photoIds") for photo_id in input.photo_ids],
            expect_global_id(input.set_id, "GallerySet", "setId") if input.set_id is not None else None,
            input.pin,
        )
        return RequestGalleryDownloadPayload(
            url=requested.url, expires_at=requested.expires_at, photo_count=requested.photo_count
        )
