"""Photos: the upload flow, the Photo node, the owner's list, edits, and photoProcessed."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from lensgraph.domain import discovery as discovery_rules
from lensgraph.domain import licensing as licensing_rules
from lensgraph.domain import pagination as rules_pagination
from lensgraph.domain import photos as rules
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import can_download_original, can_review_duplicates, can_view_photo, owns
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import Photo as PhotoRow
from lensgraph.resolvers import marketplace, matching, payments, photos, semantic, uploads, verification
from lensgraph.resolvers.context import Context
from lensgraph.schema.accounts import User
from lensgraph.schema.core import (
    AcknowledgedPayload,
    Connection,
    Currency,
    Money,
    MoneyInput,
    Node,
    SortDirection,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.subscriptions import until_credential_expires

if TYPE_CHECKING:
    from lensgraph.schema.collections import Collection
    from lensgraph.schema.releases import Release
    from lensgraph.schema.verification import Verification

PhotoStatus = strawberry.enum(
    rules.PhotoStatus,
    description="Where a photo is in the analysis pipeline; TAKEN_DOWN: removed from the catalogue after a "
    "duplicate claim (its owner still sees it).",
)
Orientation = strawberry.enum(rules.Orientation)
PhotoCategory = strawberry.enum(rules.PhotoCategory, description="What a photo shows, as its photographer files it.")
Visibility = strawberry.enum(rules.Visibility, description="PUBLIC: anyone may browse it. PRIVATE: its owner only.")
MediaKind = strawberry.enum(
    rules.MediaKind, description="PHOTO: a still image. VIDEO: an MP4/MOV film, shown through its poster frame."
)
ReleaseKind = strawberry.enum(
    rules.ReleaseKind, description="MODEL: a person's permission. PROPERTY: a property owner's permission."
)
LicenseUsage = strawberry.enum(licensing_rules.Usage, name="LicenseUsage")
URL_LIFETIME = timedelta(hours=1)


def seconds(milliseconds: int | None) -> float | None:
    return None if milliseconds is None else milliseconds / 1000


@strawberry.type(description="The usages a photographer licenses a photo for, the asking price and exclusivity.")
class PhotoLicenseOffer:
    usages: list[LicenseUsage]  # type: ignore[valid-type]
    price: Money | None = strawberry.field(description="The asking price from which; null: on request.")
    exclusive_available: bool = strawberry.field(
        description="Whether an exclusive license may be negotiated (offered by the photographer)."
    )


@node_type
@strawberry.type(description="A photographer's photo and what analysis found in it.")
class Photo(Node):
    _row: strawberry.Private[PhotoRow]
    title: str
    kind: MediaKind  # type: ignore[valid-type]
    duration_seconds: float | None = strawberry.field(description="A video's running time; null for a photo.")
    description: str
    keywords: list[str]
    auto_keywords: list[str] = strawberry.field(description="What the pipeline inferred: orientation, colours, camera.")
    category: PhotoCategory | None  # type: ignore[valid-type]
    visibility: Visibility  # type: ignore[valid-type]
    status: PhotoStatus  # type: ignore[valid-type]
    failure_reason: str | None
    width: int | None
    height: int | None
    orientation: Orientation | None  # type: ignore[valid-type]
    colors: list[str] = strawberry.field(description="Dominant colours, most present first, as #rrggbb.")
    rights: JSON = strawberry.field(description="Creator, copyright and usage terms found in EXIF/IPTC.")
    captured_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: PhotoRow) -> Photo:
        return cls(
            _row=row,
            id=to_global_id("Photo", row.id),
            title=row.title,
            kind=row.kind,
            duration_seconds=seconds(row.duration_ms),
            description=row.description,
            keywords=row.keywords,
            auto_keywords=row.auto_keywords,
            category=row.category,
            visibility=row.visibility,
            status=row.status,
            failure_reason=row.failure_reason,
            width=row.width,
            height=row.height,
            orientation=row.orientation,
            colors=row.colors,
            rights=JSON(row.rights),
            captured_at=row.captured_at,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Photo | None:
        row = await info.context.loaders.photo.load(key)
        if row is None or not can_view_photo(info.context.viewer, row.user_id, row.status, row.visibility):
            return None
        return cls.from_row(row)

    @strawberry.field(
        description="What the photographer offers it for before any negotiation (what enterprise search "
        "filters on); null when nothing is offered yet: every license is then on request."
    )
    def license_offer(self) -> PhotoLicenseOffer | None:
        row = self._row
        if not row.license_usages:
            return None
        price = row.license_price
        return PhotoLicenseOffer(
            usages=[licensing_rules.Usage(usage) for usage in row.license_usages],
            price=Money.from_domain(DomainMoney(price, row.license_currency))
            if price is not None and row.license_currency is not None
            else None,
            exclusive_available=row.exclusive_available,
        )

    @strawberry.field
    async def photographer(self, info: Info[Context, None]) -> User:
        return User.from_row(await referenced(info.context.loaders.user, self._row.user_id))

    @strawberry.field(description="The PUBLIC collections holding this photo, and all of yours that do.")
    async def collections(
        self, info: Info[Context, None]
    ) -> list[Annotated[Collection, strawberry.lazy("lensgraph.schema.collections")]]:
        from lensgraph.schema.collections import collections_of_photo  # that module builds on this one

        return await collections_of_photo(info, self._row)

    @strawberry.field(description="Camera, lens and exposure. The owner's only.")
    def exif(self, info: Info[Context, None]) -> JSON | None:
        return (
            JSON(self._row.exif)
            if self._row.exif is not None and owns(info.context.viewer, self._row.user_id)
            else None
        )

    @strawberry.field(description="Where it was taken: for the owner, or for everyone if the owner opted in.")
    def location(self, info: Info[Context, None]) -> JSON | None:
        visible = self._row.show_location or owns(info.context.viewer, self._row.user_id)
        return JSON(self._row.gps) if visible and self._row.gps is not None else None

    @strawberry.field(description="Whether a near-identical photo by someone else exists. Owner and admins.")
    def possible_duplicate(self, info: Info[Context, None]) -> bool | None:
        if not can_review_duplicates(info.context.viewer, self._row.user_id):
            return None
        return self._row.possible_duplicate_of_id is not None

    @strawberry.field(description="The earlier near-identical photo by someone else. Admins only.")
    async def possible_duplicate_of(self, info: Info[Context, None]) -> Photo | None:
        viewer, original_id = info.context.viewer, self._row.possible_duplicate_of_id
        if viewer is None or not viewer.is_admin or original_id is None:
            return None
        row = await info.context.loaders.photo.load(original_id)
        return Photo.from_row(row) if row else None

    @strawberry.field(description="256 px thumbnail, a signed URL valid for an hour.")
    async def thumbnail_url(self, info: Info[Context, None]) -> str | None:
        return await photos.rendition_url(info.context, self._row.thumbnail_key, expires_in=URL_LIFETIME)

    @strawberry.field(description="1280 px preview; watermarked for everyone but the owner.")
    async def preview_url(self, info: Info[Context, None]) -> str | None:
        owner = owns(info.context.viewer, self._row.user_id)
        key = self._row.preview_key if owner else self._row.watermarked_key
        return await photos.rendition_url(info.context, key, expires_in=URL_LIFETIME)

    @strawberry.field(
        description="The original file, a signed URL valid for an hour: the owner's, and a brand's holding a paid "
        "license in force. Checked against the hash recorded at confirmation: a stored file that changed since "
        "is withheld (error FILE_INTEGRITY_FAILED)."
    )
    async def original_url(self, info: Info[Context, None]) -> str | None:
        licensed = await payments.holds_license(info.context, self._row)
        if not can_download_original(info.context.viewer, self._row.user_id, licensed):
            return None
        return await photos.original_url(info.context, self._row, expires_in=URL_LIFETIME)

    @strawberry.field(description="How many faces analysis found; null until analysed. The owner's only.")
    def face_count(self, info: Info[Context, None]) -> int | None:
        return self._row.face_count if owns(info.context.viewer, self._row.user_id) else None

    @strawberry.field(description="How many brands this photo was matched with. The owner's only.")
    async def match_count(self, info: Info[Context, None]) -> int | None:
        return await matching.match_count(info.context, self._row)

    @strawberry.field(
        description="Faces were found and no model release covers them: no commercial license until one does. "
        "Everyone's to see, so brands know before they ask."
    )
    async def needs_model_release(self, info: Info[Context, None]) -> bool:
        faces = self._row.face_count
        # Most photos show nobody: their answer needs no query.
        model_releases = await info.context.loaders.model_release_count_by_photo.load(self._row.id) if faces else 0
        return rules.needs_model_release(faces, model_releases)

    @strawberry.field(description="The signed model and property releases covering this photo. The owner's only.")
    async def releases(
        self, info: Info[Context, None]
    ) -> list[Annotated[Release, strawberry.lazy("lensgraph.schema.releases")]]:
        from lensgraph.schema.releases import releases_of_photo  # that module builds on this one

        return await releases_of_photo(info, self._row)

    @strawberry.field(
        description="Public photos most like this one by meaning (their text's sentence embeddings), best first; "
        "near-duplicates of it (perceptual hash) left out. Empty until the photo is embedded. Needs the embedding "
        "model (the ai extra): without it, the error code SEMANTIC_SEARCH_UNAVAILABLE."
    )
    async def similar(self, info: Info[Context, None], first: int = 10) -> list[Photo]:
        return [Photo.from_row(row) for row in await semantic.similar(info.context, self._row, first)]

    @strawberry.field(
        description="The verified badge: true when the photo shows a JPEG its photographer verified authentic (the "
        "same file, or the same picture resized or recompressed). Public."
    )
    async def verified(self, info: Info[Context, None]) -> bool:
        return await marketplace.photo_verification(info.context, self._row) is not None

    @strawberry.field(
        description="The photographer's COMPLETED authentic verification of this image, for whoever may see that "
        "report (its owner; others it is shared with); null otherwise."
    )
    async def verification(
        self, info: Info[Context, None]
    ) -> Annotated[Verification, strawberry.lazy("lensgraph.schema.verification")] | None:
        from lensgraph.schema.verification import Verification  # that module builds on this one

        row = await verification.visible(info.context, await marketplace.photo_verification(info.context, self._row))
        return Verification.from_row(row) if row else None


@strawberry.input
class RequestPhotoUploadInput:
    filename: str
    mime_type: str
    file_size_bytes: int


@strawberry.type(
    description="Send the file to `uploadUrl` with `method` and `headers` (and `fields` for a form POST), once, "
    "before `expiresAt` (15 minutes): the URL takes one file and dies when the upload is confirmed."
)
class RequestPhotoUploadPayload:
    upload_id: strawberry.ID | None = None
    upload_url: str | None = None
    method: str | None = None
    headers: JSON | None = None
    fields: JSON | None = None
    expires_at: datetime | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def from_requested(cls, requested: uploads.RequestedUpload) -> Self:
        return cls(
            upload_id=to_global_id("Upload", requested.upload.id),
            upload_url=requested.target.url,
            method=requested.target.method,
            headers=JSON(requested.target.headers),
            fields=JSON(requested.target.fields) if requested.target.fields else None,
            expires_at=requested.target.expires_at,
        )


@strawberry.input
class ConfirmPhotoUploadInput:
    upload_id: strawberry.ID
    title: str | None = strawberry.field(
        default=None,
        description="Left out: the title the file carries (IPTC 2:05 or XMP dc:title), found by the analysis. The "
        "description and keywords left out are filled from the file the same way (IPTC 2:120 / dc:description, IPTC "
        "2:25 / dc:subject); what you give always stands.",
    )
    description: str | None = None
    keywords: list[str] = strawberry.field(default_factory=list)
    category: PhotoCategory | None = None  # type: ignore[valid-type]
    visibility: Visibility = rules.Visibility.PUBLIC  # type: ignore[valid-type]


@strawberry.type
class PhotoPayload:
    photo: Photo | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdatePhotoInput:
    id: strawberry.ID
    title: str | None = None
    description: str | None = None
    keywords: list[str] | None = None
    show_location: bool | None = None
    category: PhotoCategory | None = None  # type: ignore[valid-type]
    visibility: Visibility | None = None  # type: ignore[valid-type]
    license_offer: PhotoLicenseOfferInput | None = strawberry.field(
        default=None, description="Replaces what you offer the photo for (an empty usage list: on request only)."
    )


@strawberry.input
class PhotoLicenseOfferInput:
    usages: list[LicenseUsage]  # type: ignore[valid-type]
    price: MoneyInput | None = strawberry.field(
        default=None, description="The asking price from which; null: on request."
    )
    exclusive_available: bool = False

    def to_domain(self) -> licensing_rules.PhotoLicenseOffer:
        return licensing_rules.PhotoLicenseOffer(
            usages=frozenset(self.usages),
            price=self.price.to_domain("licenseOffer.price.currency") if self.price is not None else None,
            exclusive_available=self.exclusive_available,
        )


@strawberry.input
class DeletePhotoInput:
    id: strawberry.ID


PhotoOrder = strawberry.enum(
    discovery_rules.PhotoOrder, description="NEWEST: latest uploads first. POPULAR: most saved first."
)


PhotoSortField = strawberry.enum(
    discovery_rules.PhotoSortField, description="CREATED_AT: when it was uploaded. TITLE: its title, A to Z ascending."
)


@strawberry.input(description="How to order your photos: a field and a direction.")
class PhotoSort:
    field: PhotoSortField  # type: ignore[valid-type]
    direction: SortDirection = rules_pagination.SortDirection.DESC  # type: ignore[valid-type]

    def to_domain(self) -> tuple[discovery_rules.PhotoSortField, rules_pagination.SortDirection]:
        return self.field, self.direction


@strawberry.input(description="Asking prices in minor units of one currency, both ends included.")
class PriceRangeInput:
    currency: Currency  # type: ignore[valid-type]
    min: int | None = None
    max: int | None = None


@strawberry.input(description="Conditions a photo must all meet; leave a field out to not filter on it.")
class PhotoFilter:
    keyword: str | None = strawberry.field(
        default=None, description="One of the photo's keywords or inferred keywords, exactly (case-insensitive)."
    )
    category: PhotoCategory | None = None  # type: ignore[valid-type]
    orientation: Orientation | None = None  # type: ignore[valid-type]
    color: str | None = strawberry.field(
        default=None,
        description="A dominant colour: " + ", ".join(named.name for named in rules.COLOR_NAMES) + ".",
    )
    photographer: str | None = strawberry.field(default=None, description="The photographer's username.")
    min_width: int | None = strawberry.field(default=None, description="At least this many pixels wide.")
    has_release: bool | None = strawberry.field(
        default=None, description="true: covered by at least one model or property release; false: by none."
    )
    captured_after: datetime | None = strawberry.field(default=None, description="Taken at or after (inclusive).")
    captured_before: datetime | None = strawberry.field(default=None, description="Taken before (exclusive).")
    license_usage: LicenseUsage | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Offered by the photographer for this usage (Photo.licenseOffer)."
    )
    price: PriceRangeInput | None = strawberry.field(
        default=None, description="An asking price in this range (photos priced on request are left out)."
    )
    exclusive_available: bool | None = strawberry.field(
        default=None,
        description="true: the photographer offers an exclusive license and no agreed license on the photo is in "
        "force; false: the others.",
    )
    people_present: bool | None = strawberry.field(
        default=None, description="true: the analysis found at least one face; false: none."
    )
    release_kind: ReleaseKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Covered by a release of this kind (a model or a property release)."
    )

    def to_domain(self) -> discovery_rules.PhotoFilter:
        price = self.price
        return discovery_rules.PhotoFilter(
            license_usage=self.license_usage,
            price_currency=price.currency if price else None,
            min_price=price.min if price else None,
            max_price=price.max if price else None,
            exclusive_available=self.exclusive_available,
            people_present=self.people_present,
            release_kind=self.release_kind,
            keyword=self.keyword,
            category=self.category,
            orientation=self.orientation,
            color=self.color,
            photographer=self.photographer,
            min_width=self.min_width,
            has_release=self.has_release,
            captured_after=self.captured_after,
            captured_before=self.captured_before,
        )


def domain_filter(given: PhotoFilter | None) -> discovery_rules.PhotoFilter:
    return given.to_domain() if given is not None else discovery_rules.PhotoFilter()


@strawberry.type
class ViewerPhotos:
    """Fields of ``Viewer`` about photos."""

    @strawberry.field(
        description="Your photos in every status (or one), filtered, searched and ordered; newest first. `search` "
        "finds words in the title or keywords (at most 200 characters); `sort` overrides `orderBy`."
    )
    async def photos(
        self,
        info: Info[Context, None],
        filter: PhotoFilter | None = None,
        order_by: PhotoOrder = discovery_rules.PhotoOrder.NEWEST,  # type: ignore[valid-type]
        status: PhotoStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
        sort: PhotoSort | None = None,
    ) -> Connection[Photo]:
        page = await photos.list_photos(
            info.context,
            page_request(first, after, last, before),
            domain_filter(filter),
            order_by,
            status,
            search=search,
            sort=sort.to_domain() if sort else None,
        )
        return Connection[Photo].from_page(page, Photo.from_row)


@strawberry.type
class PhotoMutations:
    @strawberry.mutation(
        description="Start an upload: answers where to send the file.",
        deprecation_reason="Use requestUpload with purpose PHOTO.",
    )
    @returns_user_errors(RequestPhotoUploadPayload)
    async def request_photo_upload(
        self, info: Info[Context, None], input: RequestPhotoUploadInput
    ) -> RequestPhotoUploadPayload:
        requested = await uploads.request_upload(
            info.context, filename=input.filename, mime_type=input.mime_type, size=input.file_size_bytes
        )
        return RequestPhotoUploadPayload.from_requested(requested)

    @strawberry.mutation(description="After the file is sent: checks it and creates the photo (status PROCESSING).")
    @returns_user_errors(PhotoPayload)
    async def confirm_photo_upload(self, info: Info[Context, None], input: ConfirmPhotoUploadInput) -> PhotoPayload:
        row = await photos.confirm_upload(
            info.context,
            expect_global_id(input.upload_id, "Upload", "uploadId"),
            title=input.title,
            description=input.description,
            keywords=input.keywords,
            category=input.category,
            visibility=input.visibility,
        )
        return PhotoPayload(photo=Photo.from_row(row))

    @strawberry.mutation
    @returns_user_errors(PhotoPayload)
    async def update_photo(self, info: Info[Context, None], input: UpdatePhotoInput) -> PhotoPayload:
        row = await photos.update_photo(
            info.context,
            expect_global_id(input.id, "Photo"),
            title=input.title,
            description=input.description,
            keywords=input.keywords,
            show_location=input.show_location,
            category=input.category,
            visibility=input.visibility,
            license_offer=input.license_offer.to_domain() if input.license_offer else None,
        )
        return PhotoPayload(photo=Photo.from_row(row))

    @strawberry.mutation(description="Delete a photo and its files.")
    @returns_user_errors(AcknowledgedPayload)
    async def delete_photo(self, info: Info[Context, None], input: DeletePhotoInput) -> AcknowledgedPayload:
        await photos.delete_photo(info.context, expect_global_id(input.id, "Photo"))
        return AcknowledgedPayload(ok=True)


@strawberry.type
class PhotoSubscriptions:
    @strawberry.subscription(description="Your photo's analysis finished (READY or FAILED). The owner's only.")
    async def photo_processed(self, info: Info[Context, None], id: strawberry.ID) -> AsyncGenerator[Photo, None]:
        rows = photos.processed(info.context, expect_global_id(id, "Photo"))
        async for row in until_credential_expires(info.context.request, rows):
            yield Photo.from_row(row)
