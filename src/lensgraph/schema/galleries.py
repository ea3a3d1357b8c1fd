"""Client galleries: the studio's ``Gallery`` (a Node), the client's ``ClientGallery`` by slug, and their mutations."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import galleries as rules
from lensgraph.domain.galleries import GalleryOrder as GalleryOrderValue
from lensgraph.domain.gallery_downloads import DownloadKind
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.models import Gallery as GalleryRow
from lensgraph.persistence.models import GalleryDownload as GalleryDownloadRow
from lensgraph.persistence.models import GallerySet as GallerySetRow
from lensgraph.persistence.models import Photo as PhotoRow
from lensgraph.resolvers import (
    galleries,
    gallery_access,
    gallery_activity,
    gallery_collections,
    gallery_downloads,
    print_orders,
    proofing,
    videos,
)
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.photos import rendition_url
from lensgraph.schema.analytics import From, To
from lensgraph.schema.core import Connection, Node, expect_global_id, node_type, to_global_id
from lensgraph.schema.gallery_branding import GalleryBranding, WatermarkKind
from lensgraph.schema.gallery_collections import GalleryCollection
from lensgraph.schema.photos import URL_LIFETIME, MediaKind, Photo, seconds
from lensgraph.schema.proofing_types import (
    GalleryAnalytics,
    GalleryComment,
    GallerySelection,
    SelectionStatus,
)

if TYPE_CHECKING:
    from lensgraph.schema.studio import Client
from lensgraph.schema.prints import ClientPrintOrder, PrintProduct

GalleryStatus = strawberry.enum(rules.GalleryStatus, description="ACTIVE: open to its clients. ARCHIVED: closed.")
DownloadPolicy = strawberry.enum(
    rules.DownloadPolicy, description="What clients may download: nothing, web-size renditions, or the originals."
)
GalleryOrder = strawberry.enum(GalleryOrderValue, description="How `viewer.galleries` is ordered.")
GalleryDownloadKind = strawberry.enum(
    DownloadKind, description="What a client downloaded: some photos, one set, or the whole gallery."
)


@node_type
@strawberry.type(description="A client gallery as its studio sees it: settings, client and photos.")
class Gallery(Node):
    _row: strawberry.Private[GalleryRow]
    title: str
    slug: str = strawberry.field(description="Unique across Lensgraph: clients open `gallery(slug:)`.")
    status: GalleryStatus  # type: ignore[valid-type]
    event_date: date | None
    client_email: str | None
    client_name: str
    protected: bool = strawberry.field(description="Whether clients need its password to see the photos.")
    expires_at: datetime | None
    expired: bool = strawberry.field(description="Past its expiry: it opens to no client.")
    download_policy: DownloadPolicy  # type: ignore[valid-type]
    download_pin_set: bool = strawberry.field(description="Clients give the download PIN to download.")
    watermark: bool = strawberry.field(description="Clients see watermarked renditions.")
    watermark_text: str
    watermark_kind: WatermarkKind  # type: ignore[valid-type]
    accent_color: str | None
    selection_min: int | None = strawberry.field(description="Proofing: the fewest photos a client may submit.")
    selection_max: int | None = strawberry.field(description="Proofing: the most photos a client may pick in a list.")
    print_store: bool = strawberry.field(description="Its clients may order prints (your active print products).")
    version: int = strawberry.field(description="Send it back with updateGallery: a stale one is a CONFLICT.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: GalleryRow) -> Gallery:
        return cls(
            _row=row,
            id=to_global_id("Gallery", row.id),
            title=row.title,
            slug=row.slug,
            status=row.status,
            event_date=row.event_date,
            client_email=row.client_email,
            client_name=row.client_name,
            protected=gallery_access.is_protected(row),
            expires_at=row.expires_at,
            expired=gallery_access.is_expired(row),
            download_policy=row.download_policy,
            download_pin_set=row.download_pin_hash is not None,
            watermark=row.watermark,
            watermark_text=row.watermark_text,
            watermark_kind=row.watermark_kind,
            accent_color=row.accent_color,
            selection_min=row.selection_min,
            selection_max=row.selection_max,
            print_store=row.print_store,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Gallery | None:
        row = await galleries.by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def cover_photo(self, info: Info[Context, None]) -> Photo | None:
        if self._row.cover_photo_id is None:
            return None
        row = await info.context.loaders.photo.load(self._row.cover_photo_id)
        return Photo.from_row(row) if row else None

    @strawberry.field(description="Studios: the client the gallery is linked to (`clientId`), if any.")
    async def client(
        self, info: Info[Context, None]
    ) -> Annotated[Client, strawberry.lazy("lensgraph.schema.studio")] | None:
        from lensgraph.schema.studio import Client

        row = await galleries.linked_client(info.context, self._row)
        return Client.from_row(row) if row else None

    @strawberry.field(description="The collections it is in, by name.")
    async def collections(self, info: Info[Context, None]) -> list[GalleryCollection]:
        rows = await gallery_collections.of_gallery(info.context, self._row)
        return [GalleryCollection.from_row(row) for row in rows]

    @strawberry.field(description="What its client sees of your brand.")
    def branding(self) -> GalleryBranding:
        return branding_of(self._row)

    @strawberry.field(description="All of its photos, READY or not.")
    async def photo_count(self, info: Info[Context, None]) -> int:
        return await galleries.photo_count(info.context, self._row, ready_only=False)

    @strawberry.field(description="Its sets, in the studio's order.")
    async def sets(self, info: Info[Context, None]) -> list[GallerySet]:
        return [GallerySet.from_row(row) for row in await galleries.sets_of(info.context, self._row)]

    @strawberry.field(description="In the studio's order; with `setId`, that set's photos only.")
    async def photos(
        self,
        info: Info[Context, None],
        set_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Photo]:
        page = page_request(first, after, last, before)
        chosen = expect_global_id(set_id, "GallerySet", "setId") if set_id is not None else None
        return Connection[Photo].from_page(
            await galleries.photos_in(info.context, self._row, page, ready_only=False, set_id=chosen), Photo.from_row
        )

    @strawberry.field(description="Proofing: every client's lists, by client email then list name.")
    async def selections(self, info: Info[Context, None]) -> list[GallerySelection]:
        return [GallerySelection.from_row(row) for row in await proofing.selections_of(info.context, self._row)]

    @strawberry.field(description="Its clients' visits, favourites and submitted selections per UTC day.")
    async def analytics(self, info: Info[Context, None], from_: From, to: To) -> GalleryAnalytics:
        return GalleryAnalytics.from_domain(await gallery_activity.figures(info.context, self._row, from_, to))

    @strawberry.field(description="What its clients downloaded, newest first: recorded when a zip's stream ended.")
    async def downloads(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[GalleryDownload]:
        page = await gallery_downloads.downloads_of(info.context, self._row, page_request(first, after, last, before))
        return Connection[GalleryDownload].from_page(page, GalleryDownload.from_row)


def branding_of(row: GalleryRow) -> GalleryBranding:
    return GalleryBranding(_studio_id=row.user_id, accent_color=row.accent_color, watermark_kind=row.watermark_kind)


@node_type
@strawberry.type(description="A client's completed download from a gallery: who, what, how big, when.")
class GalleryDownload(Node):
    _row: strawberry.Private[GalleryDownloadRow]
    client_email: str = strawberry.field(description="The email the client unlocked the gallery with.")
    kind: GalleryDownloadKind  # type: ignore[valid-type]
    size: DownloadPolicy = strawberry.field(  # type: ignore[valid-type]
        description="WEB_SIZE renditions or FULL_SIZE originals."
    )
    photo_count: int
    size_bytes: float = strawberry.field(description="Bytes of the files the zip held (a Float: it may pass 2^31).")
    downloaded_at: datetime

    @classmethod
    def from_row(cls, row: GalleryDownloadRow) -> GalleryDownload:
        assert row.completed_at is not None  # only completed downloads are shown
        return cls(
            _row=row,
            id=to_global_id("GalleryDownload", row.id),
            client_email=row.client_email,
            kind=row.kind,
            size=row.size,
            photo_count=row.photo_count,
            size_bytes=float(row.size_bytes),
            downloaded_at=row.completed_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> GalleryDownload | None:
        row = await gallery_downloads.download_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(description="The set downloaded (SET downloads), while it exists.")
    async def set(self, info: Info[Context, None]) -> GallerySet | None:
        if self._row.set_id is None:
            return None
        row = await info.context.loaders.gallery_set.load(self._row.set_id)
        return GallerySet.from_row(row) if row else None


@node_type
@strawberry.type(description="A named part of a gallery, in the studio's order.")
class GallerySet(Node):
    _row: strawberry.Private[GallerySetRow]
    name: str
    position: int

    @classmethod
    def from_row(cls, row: GallerySetRow) -> GallerySet:
        return cls(_row=row, id=to_global_id("GallerySet", row.id), name=row.name, position=row.position)

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> GallerySet | None:
        row = await galleries.set_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def photo_count(self, info: Info[Context, None]) -> int:
        return await galleries.set_photo_count(info.context, self._row)


@strawberry.type(
    description="A photo or video as a gallery's client sees it: watermarked renditions when the gallery says so; "
    "a video shows its poster frame as thumbnail and preview, and plays from `videoUrl`."
)
class ClientPhoto:
    _row: strawberry.Private[PhotoRow]
    _gallery: strawberry.Private[GalleryRow]
    id: strawberry.ID
    kind: MediaKind  # type: ignore[valid-type]
    title: str
    width: int | None
    height: int | None
    duration_seconds: float | None = strawberry.field(description="A video's running time; null for a photo.")

    @classmethod
    def of(cls, row: PhotoRow, gallery: GalleryRow) -> ClientPhoto:
        return cls(
            _row=row,
            _gallery=gallery,
            id=to_global_id("Photo", row.id),
            kind=row.kind,
            title=row.title,
            width=row.width,
            height=row.height,
            duration_seconds=seconds(row.duration_ms),
        )

    @strawberry.field(description="A video's poster frame (full size JPEG), a signed URL; null for a photo.")
    async def poster_url(self, info: Info[Context, None]) -> str | None:
        return await rendition_url(info.context, self._row.poster_key, expires_in=URL_LIFETIME)

    @strawberry.field(
        description="The video as uploaded (MP4 or MOV), a signed URL valid for an hour; null for a photo."
    )
    async def video_url(self, info: Info[Context, None]) -> str | None:
        return await videos.video_url(info.context, self._row, expires_in=URL_LIFETIME)

    @strawberry.field
    async def thumbnail_url(self, info: Info[Context, None]) -> str | None:
        return await rendition_url(info.context, self._row.thumbnail_key, expires_in=URL_LIFETIME)

    @strawberry.field(
        description="1280 px preview; when the gallery is watermarked, stamped with its own watermark (its text or "
        "the studio's logo), or the generic one until that is made."
    )
    async def preview_url(self, info: Info[Context, None]) -> str | None:
        key = await gallery_access.client_preview_key(info.context, self._gallery, self._row)
        return await rendition_url(info.context, key, expires_in=URL_LIFETIME)

    @strawberry.field(description="In one of your lists (the client the `X-Gallery-Token` names).")
    async def is_favorite(self, info: Info[Context, None]) -> bool:
        return await proofing.is_favorite(info.context, self._gallery, self._row.id)


@strawberry.type(description="One of your lists of favourites in the gallery (you: the client your token names).")
class ClientSelection:
    _selection: strawberry.Private[proofing.ClientSelection]
    list_name: str = strawberry.field(name="list")
    status: SelectionStatus  # type: ignore[valid-type]
    note: str
    submitted_at: datetime | None

    @classmethod
    def of(cls, selection: proofing.ClientSelection) -> ClientSelection:
        row = selection.row
        return cls(
            _selection=selection,
            list_name=row.list_name,
            status=row.status,
            note=row.note,
            submitted_at=row.submitted_at,
        )

    @strawberry.field
    async def photo_count(self, info: Info[Context, None]) -> int:
        return len(await proofing.picked_photo_ids(info.context, self._selection.row))

    @strawberry.field(description="The photos in the list, in the order you picked them.")
    async def photos(self, info: Info[Context, None]) -> list[ClientPhoto]:
        gallery = self._selection.gallery
        ids = await proofing.picked_photo_ids(info.context, self._selection.row)
        rows = await info.context.loaders.photo.load_many(ids)
        return [ClientPhoto.of(row, gallery) for row in rows if row is not None]


@strawberry.type(
    description="A gallery as its client opens it. While protected, only its title, cover and a prompt: "
    "unlock it with `unlockGallery` and send the token back in the `X-Gallery-Token` header."
)
class ClientGallery:
    _row: strawberry.Private[GalleryRow]
    title: str
    slug: str
    event_date: date | None
    accent_color: str | None
    protected: bool
    prompt: str | None = strawberry.field(description="What to ask the client while the gallery is protected.")
    expired: bool
    selection_min: int | None = strawberry.field(description="The fewest photos a selection may be submitted with.")
    selection_max: int | None = strawberry.field(description="The most photos a list may hold.")
    branding: GalleryBranding
    download_policy: DownloadPolicy = strawberry.field(  # type: ignore[valid-type]
        description="What `requestGalleryDownload` gives: nothing, web-size renditions or the originals."
    )
    download_pin_required: bool = strawberry.field(description="Downloads need the gallery's download PIN.")

    @classmethod
    def from_row(cls, row: GalleryRow) -> ClientGallery:
        return cls(
            _row=row,
            title=row.title,
            slug=row.slug,
            event_date=row.event_date,
            accent_color=row.accent_color,
            protected=gallery_access.is_protected(row),
            prompt=gallery_access.prompt(row),
            expired=gallery_access.is_expired(row),
            selection_min=row.selection_min,
            selection_max=row.selection_max,
            branding=branding_of(row),
            download_policy=row.download_policy,
            download_pin_required=row.download_pin_hash is not None,
        )

    @strawberry.field(description="Your lists of favourites (send the `X-Gallery-Token` you unlocked with).")
    async def my_selections(self, info: Info[Context, None]) -> list[ClientSelection]:
        return [ClientSelection.of(item) for item in await proofing.my_selections(info.context, self._row)]

    @strawberry.field(description="Your comments on its photos, oldest first.")
    async def my_comments(self, info: Info[Context, None]) -> list[GalleryComment]:
        return [GalleryComment.from_row(row) for row in await proofing.my_comments(info.context, self._row)]

    @strawberry.field
    async def cover(self, info: Info[Context, None]) -> ClientPhoto | None:
        if self._row.cover_photo_id is None:
            return None
        row = await info.context.loaders.photo.load(self._row.cover_photo_id)
        return ClientPhoto.of(row, self._row) if row else None

    @strawberry.field(
        description="Its READY photos in order; null while it is locked. An expired gallery answers GALLERY_EXPIRED, "
        "a token for another gallery FORBIDDEN."
    )
    async def photos(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ClientPhoto] | None:
        page = await gallery_access.client_photos(info.context, self._row, page_request(first, after, last, before))
        if page is None:
            return None
        gallery = self._row
        return Connection[ClientPhoto].from_page(page, lambda row: ClientPhoto.of(row, gallery))

    @strawberry.field(
        description="The prints on sale here: empty when the gallery sells none, null while it is locked."
    )
    async def print_products(self, info: Info[Context, None]) -> list[PrintProduct] | None:
        rows = await print_orders.offered_products(info.context, self._row)
        return None if rows is None else [PrintProduct.from_row(row) for row in rows]

    @strawberry.field(description="The orders you placed here, newest first; null without the gallery's access token.")
    async def print_orders(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ClientPrintOrder] | None:
        page = await print_orders.client_orders(info.context, self._row, page_request(first, after, last, before))
        return None if page is None else Connection[ClientPrintOrder].from_page(page, ClientPrintOrder.from_row)


@strawberry.input(description="Conditions a gallery must all meet; leave a field out to not filter on it.")
class GalleryFilter:
    status: GalleryStatus | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(default=None, description="Part of the title, in any case.")
    collection_id: strawberry.ID | None = strawberry.field(default=None, description="In this collection of yours.")


@strawberry.type
class ViewerGalleries:
    """Fields of ``Viewer`` about client galleries."""

    @strawberry.field(description="Studios and photographers: your client galleries.")
    async def galleries(
        self,
        info: Info[Context, None],
        filter: GalleryFilter | None = None,
        order_by: GalleryOrder = GalleryOrderValue.NEWEST_FIRST,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Gallery]:
        given = filter or GalleryFilter()
        page = await galleries.list_own(
            info.context,
            page_request(first, after, last, before),
            given.status,
            given.search,
            by_title=order_by is GalleryOrderValue.TITLE,
            newest_first=order_by is GalleryOrderValue.NEWEST_FIRST,
            collection_id=expect_global_id(given.collection_id, "GalleryCollection", "collectionId")
            if given.collection_id is not None
            else None,
        )
        return Connection[Gallery].from_page(page, Gallery.from_row)


@strawberry.type
class GalleryQueries:
    @strawberry.field(description="A client gallery by the slug in its link; null for none (or an archived one).")
    async def gallery(self, info: Info[Context, None], slug: str) -> ClientGallery | None:
        row = await gallery_access.by_slug(info.context, slug)
        return ClientGallery.from_row(row) if row else None
