"""User-generated content: albums, products, content and its rights (types and reads; mutations in ugc_mutations)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import orjson
import strawberry
from strawberry import Info

from lensgraph.domain import ugc as rules
from lensgraph.domain.money import Currency as DomainCurrency
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.models import Album as AlbumRow
from lensgraph.persistence.models import Content as ContentRow
from lensgraph.persistence.models import Product as ProductRow
from lensgraph.persistence.models import RightsRequest as RightsRequestRow
from lensgraph.resolvers import ugc, ugc_moderation
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import Connection, Money, Node, expect_global_id, node_type, to_global_id
from lensgraph.schema.photos import Photo

AlbumKind = strawberry.enum(rules.AlbumKind)
ContentStatus = strawberry.enum(rules.ContentStatus, description="Moderation: PENDING until approved or rejected.")
ContentSource = strawberry.enum(rules.ContentSource, description="A partner's signed API call, or a fan's upload link.")
MediaStatus = strawberry.enum(rules.MediaStatus, description="The content's file: fetched, then analysed.")
ContentFlag = strawberry.enum(rules.ContentFlag, description="Raised by the photo analysis for moderators.")
RightsStatus = strawberry.enum(rules.RightsStatus, description="Only GRANTED content may be used commercially.")
RightsAnswer = strawberry.enum(rules.RightsRequestStatus, name="RightsAnswer", description="A rights request's answer.")


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
        "`uploadLink`, then submitAlbumContent); it arrives PENDING."
    )
    def upload_link(self, info: Info[Context, None]) -> str:
        return ugc.upload_link(info.context, self._row)

    @strawberry.field(description="The album's content, newest first, whatever its status.")
    async def content(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Content]:
        page = await ugc.album_content(info.context, self._row, page_request(first, after, last, before))
        return Connection[Content].from_page(page, Content.from_row)


@node_type
@strawberry.type(description="A product of a brand's catalogue, which content can be tagged with (by SKU).")
class Product(Node):
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
    @strawberry.field(description="One of your albums; null when it is not yours.")
    async def album(self, info: Info[Context, None], id: strawberry.ID) -> Album | None:
        row = await ugc.album_by_id(info.context, expect_global_id(id, "Album"))
        return Album.from_row(row) if row else None

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
