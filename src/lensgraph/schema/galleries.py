"""Client galleries: the studio's ``Gallery`` (a Node), the client's ``ClientGallery`` by slug, and their mutations."""

from __future__ import annotations

from datetime import date, datetime
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
from lensgraph.resolvers import galleries, gallery_access, gallery_downloads
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.photos import rendition_url
from lensgraph.schema.core import Connection, Node, expect_global_id, node_type, to_global_id
from lensgraph.schema.photos import URL_LIFETIME, Photo

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
    accent_color: str | None
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
            accent_color=row.accent_color,
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


@strawberry.type(description="A photo as a gallery's client sees it: watermarked renditions when the gallery says so.")
class ClientPhoto:
    _row: strawberry.Private[PhotoRow]
    _watermark: strawberry.Private[bool]
    id: strawberry.ID
    title: str
    width: int | None
    height: int | None

    @classmethod
    def of(cls, row: PhotoRow, watermark: bool) -> ClientPhoto:
        return cls(
            _row=row,
            _watermark=watermark,
            id=to_global_id("Photo", row.id),
            title=row.title,
            width=row.width,
            height=row.height,
        )

    @strawberry.field
    async def thumbnail_url(self, info: Info[Context, None]) -> str | None:
        return await rendition_url(info.context, self._row.thumbnail_key, expires_in=URL_LIFETIME)

    @strawberry.field(description="1280 px preview; the watermarked one when the gallery is watermarked.")
    async def preview_url(self, info: Info[Context, None]) -> str | None:
        key = self._row.watermarked_key if self._watermark else self._row.preview_key
        return await rendition_url(info.context, key, expires_in=URL_LIFETIME)


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
            download_policy=row.download_policy,
            download_pin_required=row.download_pin_hash is not None,
        )

    @strawberry.field
    async def cover(self, info: Info[Context, None]) -> ClientPhoto | None:
        if self._row.cover_photo_id is None:
            return None
        row = await info.context.loaders.photo.load(self._row.cover_photo_id)
        return ClientPhoto.of(row, self._row.watermark) if row else None

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
        watermark = self._row.watermark
        return Connection[ClientPhoto].from_page(page, lambda row: ClientPhoto.of(row, watermark))


@strawberry.input(description="Conditions a gallery must all meet; leave a field out to not filter on it.")
class GalleryFilter:
    status: GalleryStatus | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(default=None, description="Part of the title, in any case.")


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
        )
        return Connection[Gallery].from_page(page, Gallery.from_row)


@strawberry.type
class GalleryQueries:
    @strawberry.field(description="A client gallery by the slug in its link; null for none (or an archived one).")
    async def gallery(self, info: Info[Context, None], slug: str) -> ClientGallery | None:
        row = await gallery_access.by_slug(info.context, slug)
        return ClientGallery.from_row(row) if row else None
