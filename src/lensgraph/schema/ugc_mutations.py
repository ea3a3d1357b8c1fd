"""User-generated content mutations: albums, products, the content secret, submission, moderation, rights."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.money import parse_currency
from lensgraph.domain.ugc import ContentStatus as DomainContentStatus
from lensgraph.domain.ugc import RightsRequestStatus
from lensgraph.resolvers import ugc, ugc_moderation
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import AcknowledgedPayload, MoneyInput, UserError, expect_global_id, returns_user_errors
from lensgraph.schema.photos import RequestPhotoUploadPayload
from lensgraph.schema.ugc import Album, AlbumKind, Content, ContentRightsRequest, Product


def _content_id(global_id: str, field: str = "contentId") -> UUID:
    return expect_global_id(global_id, "Content", field)


def _content_ids(global_ids: list[strawberry.ID], field: str = "ids") -> list[UUID]:
    return [expect_global_id(global_id, "Content", field) for global_id in global_ids]


# Albums and products ---------------------------------------------------------------------------


@strawberry.input
class CreateAlbumInput:
    name: str
    kind: AlbumKind  # type: ignore[valid-type]
    hashtag: str | None = strawberry.field(default=None, description="Required for HASHTAG albums.")
    product_sku: str | None = strawberry.field(default=None, description="Required for PRODUCT albums.")


@strawberry.input
class UpdateAlbumInput:
    id: strawberry.ID
    name: str | None = None
    hashtag: str | None = None
    product_sku: str | None = None


@strawberry.input
class AlbumIdInput:
    id: strawberry.ID


@strawberry.type
class AlbumPayload:
    album: Album | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ProductInput:
    sku: str
    name: str
    url: str | None = None
    image_url: str | None = None
    price: MoneyInput | None = None

    def to_resolver(self) -> ugc.ProductInput:
        price = None
        if self.price is not None:
            price = DomainMoney(self.price.amount, parse_currency(self.price.currency, "price.currency"))
        return ugc.ProductInput(self.sku, self.name, self.url, self.image_url, price)


@strawberry.input
class UpsertProductsInput:
    products: list[ProductInput] = strawberry.field(description="At most 500; all are saved, or none.")


@strawberry.type
class ProductPayload:
    product: Product | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpsertProductsPayload:
    products: list[Product] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteProductInput:
    sku: str


@strawberry.type
class RotateContentSecretPayload:
    content_secret: str | None = strawberry.field(
        default=None, description="Sign submitContent requests with it. Shown only now; the old one stops working."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# Submission ------------------------------------------------------------------------------------


@strawberry.input
class SubmitContentInput:
    album_id: strawberry.ID
    title: str = ""
    photo_uri: str | None = strawberry.field(default=None, description="An http(s) URL the server fetches.")
    upload_id: strawberry.ID | None = strawberry.field(default=None, description="From requestContentUpload.")
    email: str | None = strawberry.field(default=None, description="The author's, for rights requests.")
    username: str = ""
    product_skus: list[str] = strawberry.field(default_factory=list)
    approved: bool = strawberry.field(default=False, description="True publishes it without moderation.")


@strawberry.input
class SubmitAlbumContentInput:
    upload_link: str = strawberry.field(description="The album's uploadLink (or its last part).")
    upload_id: strawberry.ID
    title: str = ""
    email: str | None = None
    username: str = ""


@strawberry.input
class RequestContentUploadInput:
    album_id: strawberry.ID | None = strawberry.field(default=None, description="Your own album (API key or token).")
    upload_link: str | None = strawberry.field(default=None, description="An album's public upload link (fans).")
    filename: str
    mime_type: str
    file_size_bytes: int


@strawberry.type
class ContentPayload:
    content: Content | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ContentsPayload:
    contents: list[Content] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# Moderation and rights -------------------------------------------------------------------------


@strawberry.input
class ContentIdInput:
    id: strawberry.ID


@strawberry.input
class RejectContentInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input
class ContentIdsInput:
    ids: list[strawberry.ID] = strawberry.field(description="At most 100; all change, or none.")


@strawberry.input
class RejectContentsInput:
    ids: list[strawberry.ID] = strawberry.field(description="At most 100; all change, or none.")
    reason: str | None = None


@strawberry.input
class TagContentProductsInput:
    content_id: strawberry.ID
    skus: list[str] = strawberry.field(description="Replaces the content's tags; empty clears them.")


@strawberry.input
class BulkTagContentProductsInput:
    taggings: list[TagContentProductsInput] = strawberry.field(description="At most 100; all change, or none.")


@strawberry.input
class RequestContentRightsInput:
    content_id: strawberry.ID
    terms: str = strawberry.field(description="Mailed to the author as written; what granting agrees to.")


@strawberry.type
class ContentRightsPayload:
    rights_request: ContentRightsRequest | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AnswerContentRightsInput:
    token: str = strawberry.field(description="From the author's mail.")


@strawberry.input
class SetContentCommercialUseInput:
    content_id: strawberry.ID
    commercial_use: bool


@strawberry.type
class UgcMutations:
    @strawberry.mutation(description="An album for user-generated content (brands).")
    @returns_user_errors(AlbumPayload)
    async def create_album(self, info: Info[Context, None], input: CreateAlbumInput) -> AlbumPayload:
        row = await ugc.create_album(
            info.context, name=input.name, kind=input.kind, hashtag=input.hashtag, product_sku=input.product_sku
        )
        return AlbumPayload(album=Album.from_row(row))

    @strawberry.mutation
    @returns_user_errors(AlbumPayload)
    async def update_album(self, info: Info[Context, None], input: UpdateAlbumInput) -> AlbumPayload:
        row = await ugc.update_album(
            info.context,
            expect_global_id(input.id, "Album"),
            name=input.name,
            hashtag=input.hashtag,
            product_sku=input.product_sku,
        )
        return AlbumPayload(album=Album.from_row(row))

    @strawberry.mutation(description="Deletes the album and its content (their photos stay, private).")
    @returns_user_errors(AcknowledgedPayload)
    async def delete_album(self, info: Info[Context, None], input: AlbumIdInput) -> AcknowledgedPayload:
        await ugc.delete_album(info.context, expect_global_id(input.id, "Album"))
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation(description="Adds a product to your catalogue, or updates the one with its SKU.")
    @returns_user_errors(ProductPayload)
    async def upsert_product(self, info: Info[Context, None], input: ProductInput) -> ProductPayload:
        [row] = await ugc.upsert_products(info.context, [input.to_resolver()], bulk=False)
        return ProductPayload(product=Product.from_row(row))

    @strawberry.mutation(description="upsertProduct for up to 500 products in one transaction.")
    @returns_user_errors(UpsertProductsPayload)
    async def upsert_products(self, info: Info[Context, None], input: UpsertProductsInput) -> UpsertProductsPayload:
        rows = await ugc.upsert_products(info.context, [item.to_resolver() for item in input.products], bulk=True)
        return UpsertProductsPayload(products=[Product.from_row(row) for row in rows])

    @strawberry.mutation(description="Removes a product (and its tags on content).")
    @returns_user_errors(AcknowledgedPayload)
    async def delete_product(self, info: Info[Context, None], input: DeleteProductInput) -> AcknowledgedPayload:
        await ugc.delete_product(info.context, input.sku)
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation(description="A new secret for signing submitContent requests (see the README).")
    @returns_user_errors(RotateContentSecretPayload)
    async def rotate_content_secret(self, info: Info[Context, None]) -> RotateContentSecretPayload:
        return RotateContentSecretPayload(content_secret=await ugc.rotate_content_secret(info.context))

    @strawberry.mutation(
        description="From your server only: sent with your API key and a `Signature` header holding "
        "base64(HMAC-SHA1(content secret, the exact request body)). Give photoUri or uploadId."
    )
    @returns_user_errors(ContentPayload)
    async def submit_content(self, info: Info[Context, None], input: SubmitContentInput) -> ContentPayload:
        submission = ugc.Submission(
            album_id=expect_global_id(input.album_id, "Album", "albumId"),
            title=input.title,
            photo_uri=input.photo_uri,
            upload_id=expect_global_id(input.upload_id, "Upload", "uploadId") if input.upload_id else None,
            email=input.email,
            username=input.username,
            product_skus=input.product_skus,
            approved=input.approved,
        )
        return ContentPayload(content=Content.from_row(await ugc.submit_content(info.context, submission)))

    @strawberry.mutation(description="A presigned upload for an album: yours by albumId, or a fan's by uploadLink.")
    @returns_user_errors(RequestPhotoUploadPayload)
    async def request_content_upload(
        self, info: Info[Context, None], input: RequestContentUploadInput
    ) -> RequestPhotoUploadPayload:
        requested = await ugc.request_content_upload(
            info.context,
            album_id=expect_global_id(input.album_id, "Album", "albumId") if input.album_id else None,
            upload_link=input.upload_link,
            filename=input.filename,
            mime_type=input.mime_type,
            size=input.file_size_bytes,
        )
        return RequestPhotoUploadPayload.from_requested(requested)

    @strawberry.mutation(description="A fan's photo for an album, by its public upload link; arrives PENDING.")
    @returns_user_errors(AcknowledgedPayload)
    async def submit_album_content(
        self, info: Info[Context, None], input: SubmitAlbumContentInput
    ) -> AcknowledgedPayload:
        upload_id = expect_global_id(input.upload_id, "Upload", "uploadId")
        # A fan learns only that it arrived: the content (and its moderation) is the brand's.
        await ugc.submit_by_link(
            info.context,
            input.upload_link,
            upload_id=upload_id,
            title=input.title,
            email=input.email,
            username=input.username,
        )
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation
    @returns_user_errors(ContentPayload)
    async def approve_content(self, info: Info[Context, None], input: ContentIdInput) -> ContentPayload:
        [row] = await ugc_moderation.moderate(
            info.context, [_content_id(input.id, "id")], DomainContentStatus.APPROVED, field="id"
        )
        return ContentPayload(content=Content.from_row(row))

    @strawberry.mutation
    @returns_user_errors(ContentPayload)
    async def reject_content(self, info: Info[Context, None], input: RejectContentInput) -> ContentPayload:
        [row] = await ugc_moderation.moderate(
            info.context, [_content_id(input.id, "id")], DomainContentStatus.REJECTED, reason=input.reason, field="id"
        )
        return ContentPayload(content=Content.from_row(row))

    @strawberry.mutation(description="approveContent for up to 100 ids: all, or none.")
    @returns_user_errors(ContentsPayload)
    async def approve_contents(self, info: Info[Context, None], input: ContentIdsInput) -> ContentsPayload:
        rows = await ugc_moderation.moderate(info.context, _content_ids(input.ids), DomainContentStatus.APPROVED)
        return ContentsPayload(contents=[Content.from_row(row) for row in rows])

    @strawberry.mutation(description="rejectContent for up to 100 ids: all, or none.")
    @returns_user_errors(ContentsPayload)
    async def reject_contents(self, info: Info[Context, None], input: RejectContentsInput) -> ContentsPayload:
        rows = await ugc_moderation.moderate(
            info.context, _content_ids(input.ids), DomainContentStatus.REJECTED, reason=input.reason
        )
        return ContentsPayload(contents=[Content.from_row(row) for row in rows])

    @strawberry.mutation(description="Replaces a content's product tags; every SKU must be in your catalogue.")
    @returns_user_errors(ContentPayload)
    async def tag_content_products(self, info: Info[Context, None], input: TagContentProductsInput) -> ContentPayload:
        tagging = ugc_moderation.ProductTagging(_content_id(input.content_id), input.skus)
        [row] = await ugc_moderation.tag_content_products(info.context, [tagging], field="contentId")
        return ContentPayload(content=Content.from_row(row))

    @strawberry.mutation(description="tagContentProducts for up to 100 contents: all, or none.")
    @returns_user_errors(ContentsPayload)
    async def tag_contents_products(
        self, info: Info[Context, None], input: BulkTagContentProductsInput
    ) -> ContentsPayload:
        taggings = [
            ugc_moderation.ProductTagging(_content_id(item.content_id, "taggings"), item.skus)
            for item in input.taggings
        ]
        rows = await ugc_moderation.tag_content_products(info.context, taggings, field="taggings")
        return ContentsPayload(contents=[Content.from_row(row) for row in rows])

    @strawberry.mutation(description="Mails the author a single-use link to grant or decline rights on these terms.")
    @returns_user_errors(ContentRightsPayload)
    async def request_content_rights(
        self, info: Info[Context, None], input: RequestContentRightsInput
    ) -> ContentRightsPayload:
        content_id = _content_id(input.content_id)
        row = await ugc_moderation.request_rights(info.context, content_id, input.terms)
        return ContentRightsPayload(rights_request=ContentRightsRequest.from_row(row, input.content_id))

    @strawberry.mutation(description="The author grants rights, with the token from their mail (once).")
    @returns_user_errors(AcknowledgedPayload)
    async def grant_content_rights(
        self, info: Info[Context, None], input: AnswerContentRightsInput
    ) -> AcknowledgedPayload:
        await ugc_moderation.answer_rights(info.context, input.token, RightsRequestStatus.GRANTED)
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation(description="The author declines, with the token from their mail (once).")
    @returns_user_errors(AcknowledgedPayload)
    async def decline_content_rights(
        self, info: Info[Context, None], input: AnswerContentRightsInput
    ) -> AcknowledgedPayload:
        await ugc_moderation.answer_rights(info.context, input.token, RightsRequestStatus.DECLINED)
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation(description="Marks content for commercial use (or not): only content with rights GRANTED.")
    @returns_user_errors(ContentPayload)
    async def set_content_commercial_use(
        self, info: Info[Context, None], input: SetContentCommercialUseInput
    ) -> ContentPayload:
        row = await ugc_moderation.set_commercial_use(info.context, _content_id(input.content_id), input.commercial_use)
        return ContentPayload(content=Content.from_row(row))
