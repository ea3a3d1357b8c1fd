"""User-generated content: albums, products, content and its rights (types and reads; mutations in ugc_mutations)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import orjson
import strawberry
from strawberry import Info

from lensgraph.domain import ugc as rules
from lensgraph.domain import ugc_engagement as engagement_rules
from lensgraph.domain.money import Currency as DomainCurrency
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import owns
from lensgraph.persistence.models import Album as AlbumRow
from lensgraph.persistence.models import Content as ContentRow
from lensgraph.persistence.models import Product as ProductRow
from lensgraph.persistence.models import RightsRequest as RightsRequestRow
from lensgraph.resolvers import ugc, ugc_moderation, ugc_reads
from lensgraph.resolvers.context import Context
from lensgraph.schema.analytics import From, To
from lensgraph.schema.core import Connection, Money, Node, expect_global_id, node_type, to_global_id
from lensgraph.schema.photos import Photo

AlbumKind = strawberry.enum(rules.AlbumKind)
ContentStatus = strawberry.enum(rules.ContentStatus, description="Moderation: PENDING until approved or rejected.")
ContentSource = strawberry.enum(rules.ContentSource, description="A partner's signed API call, or a fan's upload link.")
MediaStatus = strawberry.enum(rules.MediaStatus, description="The content's file: fetched, then analysed.")
ContentFlag = strawberry.enum(rules.ContentFlag, description="Raised by the photo analysis for moderators.")
RightsStatus = strawberry.enum(rules.RightsStatus, description="Only GRANTED content may be used commercially.")
RightsAnswer = strawberry.enum(rules.RightsRequestStatus, name="RightsAnswer", description="A rights request's answer.")


MediaOrder = strawberry.enum(
    ugc_reads.MediaOrder,
    description="RECENCY: newest first. POPULARITY: most clicks and add-to-carts from storefronts first (all "
    "time, as flushed every few seconds), then newest.",
)


@strawberry.input(description="Without it, all the media the caller may see.")
class MediaFilter:
    approved: bool | None = strawberry.field(
        default=None, description="true: approved only; false: the others (the brand's only: others see approved)."
    )
    has_products: bool | None = strawberry.field(default=None, description="Tagged with at least one product.")


@strawberry.type(description="Storefront engagement over some whole UTC days (or one).")
class EngagementTotals:
    impressions: int
    clicks: int
    add_to_cart: int
    conversion_rate: float | None = strawberry.field(description="addToCart / clicks; null without clicks.")

    @classmethod
    def of(cls, totals: engagement_rules.Totals) -> EngagementTotals:
        return cls(
            impressions=totals.impressions,
            clicks=totals.clicks,
            add_to_cart=totals.add_to_cart,
            conversion_rate=totals.conversion_rate,
        )


@strawberry.type
class EngagementDay:
    day: date
    totals: EngagementTotals


@strawberry.type(description="Counted from the tracking pixel and beacon (POST /track), per UTC day.")
class EngagementReport:
    from_: date = strawberry.field(name="from")
    to: date
    totals: EngagementTotals
    days: list[EngagementDay] = strawberry.field(description="Every day of the window, oldest first, zeros included.")

    @classmethod
    def of(cls, report: ugc_reads.Report) -> EngagementReport:
        return cls(
            from_=report.first,
            to=report.last,
            totals=EngagementTotals.of(report.totals),
            days=[EngagementDay(day=entry.day, totals=EngagementTotals.of(entry.totals)) for entry in report.daily],
        )


@strawberry.type(
    description="A content as storefronts show it: approved content for anyone, any of the brand's own for the "
    "brand. Its id is the content's (send it as `mediaId` to /track)."
)
class Media:
    _row: strawberry.Private[ContentRow]
    id: strawberry.ID
    title: str
    author_username: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: ContentRow) -> Media:
        return cls(
            _row=row,
            id=strawberry.ID(to_global_id("Content", row.id)),
            title=row.title,
            author_username=row.author_username,
            created_at=row.created_at,
        )

    @strawberry.field(description="The image (1280 px), a signed URL valid for an hour or more.")
    async def image_url(self, info: Info[Context, None]) -> str | None:
        return await ugc_reads.media_url(info.context, self._row, thumbnail=False)

    @strawberry.field(description="256 px thumbnail, a signed URL valid for an hour or more.")
    async def thumbnail_url(self, info: Info[Context, None]) -> str | None:
        return await ugc_reads.media_url(info.context, self._row, thumbnail=True)

    @strawberry.field(description="Tagged products, by SKU.")
    async def products(self, info: Info[Context, None]) -> list[Product]:
        return [Product.from_row(row) for row in await ugc.products_of(info.context, self._row)]

    @strawberry.field(description="The whole content record (moderation, rights): the brand's only, else null.")
    def content(self, info: Info[Context, None]) -> Content | None:
        return Content.from_row(self._row) if owns(info.context.viewer, self._row.brand_id) else None


@node_type
@strawberry.type(description="A brand's album of user-generated content.")
class Album(Node):
    _row: strawberry.Private[AlbumRow]
    name: str
    kind: AlbumKind  # type: ignore[valid-type]
    hashtag: str | None
    product_sku: str | None = strawberry.field(description="A PRODUCT album's product.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: AlbumRow) -> Album:
        return cls(
            _row=row,
            id=to_global_id("Album", row.id),
            name=row.name,
            kind=row.kind,
            hashtag=row.hashtag,
            product_sku=row.product_sku,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Album | None:
        row = await ugc.album_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(
        description="Share it with fans: whoever holds it can send this album a photo (requestContentUpload with "
        "`uploadLink`, then submitAlbumContent); it arrives PENDING. The brand's only (null for everyone else)."
    )
    def upload_link(self, info: Info[Context, None]) -> str | None:
        if not owns(info.context.viewer, self._row.user_id):
            return None
        return ugc.upload_link(info.context, self._row)

    @strawberry.field(
        description="What storefronts show: the brand sees all of its media (filtered as asked), anyone else "
        "approved media only. Public reads may go over GET (persisted queries) and are cached for 2 minutes."
    )
    async def media(
        self,
        info: Info[Context, None],
        filter: MediaFilter | None = None,
        order_by: MediaOrder = ugc_reads.MediaOrder.RECENCY,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Media]:
        chosen = ugc_reads.MediaFilter(filter.approved, filter.has_products) if filter else ugc_reads.MediaFilter()
        page = await ugc_reads.album_media(
            info.context, self._row, chosen, order_by, page_request(first, after, None, None)
        )
        return Connection[Media].from_page(page, Media.from_row)

    @strawberry.field(description="Storefront engagement with the album's media per day: the brand's only.")
    async def analytics(self, info: Info[Context, None], from_: From, to: To) -> EngagementReport:
        return EngagementReport.of(await ugc_reads.album_report(info.context, self._row, from_, to))

    @strawberry.field(description="The album's content, newest first, whatever its status: the brand's only.")
    async def content(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Content]:
        ugc_reads.require_own_album(info.context, self._row)
        page = await ugc.album_content(info.context, self._row, page_request(first, after, last, before))
        return Connection[Content].from_page(page, Content.from_row)


@node_type
@strawberry.type(description="A product of a brand's catalogue, which content can be tagged with (by SKU).")
class Product(Node):
    _key: strawberry.Private[UUID]
    _brand_id: strawberry.Private[UUID]
    sku: str
    name: str
    url: str | None
    image_url: str | None
    price: Money | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: ProductRow) -> Product:
        price = None
        if row.price_amount is not None and row.price_currency is not None:
            price = Money.from_domain(DomainMoney(row.price_amount, DomainCurrency(row.price_currency)))
        return cls(
            _key=row.id,
            _brand_id=row.user_id,
            id=to_global_id("Product", row.id),
            sku=row.sku,
            name=row.name,
            url=row.url,
            image_url=row.image_url,
            price=price,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Product | None:
        row = await ugc.product_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(description="Storefront engagement with the product per day: the brand's only (else null).")
    async def analytics(self, info: Info[Context, None], from_: From, to: To) -> EngagementReport | None:
        report = await ugc_reads.product_report(info.context, self._key, self._brand_id, from_, to)
        return EngagementReport.of(report) if report else None


@strawberry.type(
    description="A request for rights to content and its answer: the evidence of a grant (who, when, from which "
    "address and browser, and the exact terms they were shown)."
)
class ContentRightsRequest:
    _row: strawberry.Private[RightsRequestRow]
    _content_id: strawberry.Private[str]
    status: RightsAnswer  # type: ignore[valid-type]
    author_email: str
    author_username: str
    terms: str = strawberry.field(description="Exactly as shown to the author.")
    terms_sha256: str
    requested_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    ip_address: str | None = strawberry.field(description="Where the answer came from.")
    user_agent: str | None

    @classmethod
    def from_row(cls, row: RightsRequestRow, content_id: str) -> ContentRightsRequest:
        return cls(
            _row=row,
            _content_id=content_id,
            status=row.status,
            author_email=row.author_email,
            author_username=row.author_username,
            terms=row.terms,
            terms_sha256=row.terms_sha256,
            requested_at=row.created_at,
            expires_at=row.expires_at,
            answered_at=row.answered_at,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
        )

    @strawberry.field(description="This evidence as one JSON document (keys sorted), to archive beside the content.")
    def evidence_json(self) -> str:
        document = ugc_moderation.evidence(self._row, self._content_id).document()
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()


@node_type
@strawberry.type(description="A photo submitted to a brand's album, with its moderation, flags and rights.")
class Content(Node):
    _row: strawberry.Private[ContentRow]
    title: str
    source: ContentSource  # type: ignore[valid-type]
    source_url: str | None = strawberry.field(description="The photoUri it was fetched from.")
    author_email: str | None
    author_username: str
    status: ContentStatus  # type: ignore[valid-type]
    rejection_reason: str | None
    moderated_at: datetime | None
    failure_reason: str | None = strawberry.field(description="Why its file could not be fetched, when it failed.")
    rights_status: RightsStatus  # type: ignore[valid-type]
    commercial_use: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: ContentRow) -> Content:
        return cls(
            _row=row,
            id=to_global_id("Content", row.id),
            title=row.title,
            source=row.source,
            source_url=row.source_url,
            author_email=row.author_email,
            author_username=row.author_username,
            status=row.status,
            rejection_reason=row.rejection_reason,
            moderated_at=row.moderated_at,
            failure_reason=row.failure_reason,
            rights_status=row.rights_status,
            commercial_use=row.commercial_use,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Content | None:
        row = await ugc_moderation.content_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def album(self, info: Info[Context, None]) -> Album | None:
        row = await ugc.album_by_id(info.context, self._row.album_id)
        return Album.from_row(row) if row else None

    @strawberry.field(description="The photo, once fetched or confirmed: private to the brand.")
    async def photo(self, info: Info[Context, None]) -> Photo | None:
        if self._row.photo_id is None:
            return None
        row = await info.context.loaders.photo.load(self._row.photo_id)
        return Photo.from_row(row) if row else None

    @strawberry.field
    async def media_status(self, info: Info[Context, None]) -> MediaStatus:  # type: ignore[valid-type]
        return await ugc_moderation.media_status(info.context, self._row)

    @strawberry.field(description="Faces, a possible duplicate of other content: from the photo's analysis.")
    async def flags(self, info: Info[Context, None]) -> list[ContentFlag]:  # type: ignore[valid-type]
        return await ugc_moderation.flags(info.context, self._row)

    @strawberry.field(description="Tagged products, by SKU.")
    async def products(self, info: Info[Context, None]) -> list[Product]:
        return [Product.from_row(row) for row in await ugc.products_of(info.context, self._row)]

    @strawberry.field(description="Storefront engagement with this content per day: the brand's only (else null).")
    async def analytics(self, info: Info[Context, None], from_: From, to: To) -> EngagementReport | None:
        report = await ugc_reads.content_report(info.context, self._row, from_, to)
        return EngagementReport.of(report) if report else None

    @strawberry.field(description="The latest rights request and its answer (the evidence of a grant).")
    async def rights_request(self, info: Info[Context, None]) -> ContentRightsRequest | None:
        row = await ugc_moderation.latest_rights_request(info.context, self._row)
        return ContentRightsRequest.from_row(row, self.id) if row else None


@strawberry.type(description="What a rights link shows its author before they answer.")
class ContentRightsOffer:
    terms: str = strawberry.field(description="Exactly what granting agrees to.")
    content_title: str
    status: RightsAnswer  # type: ignore[valid-type]
    expires_at: datetime


@strawberry.type
class ViewerUgc:
    """Fields of ``Viewer`` about user-generated content (brands)."""

    @strawberry.field(description="Your albums of user-generated content, newest first.")
    async def albums(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Album]:
        page = await ugc.list_albums(info.context, page_request(first, after, last, before))
        return Connection[Album].from_page(page, Album.from_row)

    @strawberry.field(description="Your product catalogue, newest first.")
    async def products(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Product]:
        page = await ugc.list_products(info.context, page_request(first, after, last, before))
        return Connection[Product].from_page(page, Product.from_row)


@strawberry.type
class UgcQueries:
    @strawberry.field(
        description="An album by its id: anyone may read its approved media; the rest of it is its brand's."
    )
    async def album(self, info: Info[Context, None], id: strawberry.ID) -> Album | None:
        row = await ugc_reads.public_album(info.context, expect_global_id(id, "Album"))
        return Album.from_row(row) if row else None

    @strawberry.field(
        description="The media tagged with a product, by SKU: your own (a brand's credential), or the approved "
        "media of the brand `brandId` names (anyone). Null when the brand has no such product."
    )
    async def product_media(
        self,
        info: Info[Context, None],
        sku: str,
        brand_id: strawberry.ID | None = None,
        order_by: MediaOrder = ugc_reads.MediaOrder.RECENCY,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Media] | None:
        brand = expect_global_id(brand_id, "User") if brand_id is not None else None
        page = await ugc_reads.product_media(info.context, sku, brand, order_by, page_request(first, after, None, None))
        return Connection[Media].from_page(page, Media.from_row) if page is not None else None

    @strawberry.field(
        description="For a content's author: what their rights link asks, by its token (no sign-in needed)."
    )
    async def content_rights_offer(self, info: Info[Context, None], token: str) -> ContentRightsOffer | None:
        row = await ugc_moderation.rights_request_by_token(info.context, token)
        if row is None:
            return None
        content = await info.context.loaders.ugc_content.load(row.content_id)
        return ContentRightsOffer(
            terms=row.terms,
            content_title=content.title if content else "",
            status=row.status,
            expires_at=row.expires_at,
        )
