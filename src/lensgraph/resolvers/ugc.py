"""User-generated content, the brand's side: albums, the product catalogue, the content secret, and signed
submissions from partners' servers or fans' uploads by an album's public link (moderation and rights:
``resolvers.ugc_moderation``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from lensgraph.domain import photos as photo_rules
from lensgraph.domain import ugc as rules
from lensgraph.domain.accounts import Role
from lensgraph.domain.audit import AuditAction
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden, unauthenticated
from lensgraph.domain.events import ContentApproved, ContentSubmitted
from lensgraph.domain.money import Money
from lensgraph.domain.outbound import check_url
from lensgraph.domain.pagination import PageRequest, encode_cursor
from lensgraph.domain.photos import UploadPurpose, Visibility
from lensgraph.domain.policies import owns
from lensgraph.domain.ugc import AlbumKind, ContentSource, ContentStatus, MediaStatus
from lensgraph.persistence import ugc as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Album, Content, Product
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.persistence.ugc import AlbumContentKey
from lensgraph.resolvers import audit
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.photos import accepted_photo
from lensgraph.resolvers.uploads import RequestedUpload, new_upload, read_upload

# Where the raw request body is left for the signature check (app/view.py reads it once and replays it).
RAW_BODY_SCOPE_KEY = "lensgraph.raw_body"


def require_brand(ctx: Context) -> UUID:
    viewer = ctx.require_viewer()
    if viewer.role is not Role.BRAND:
        raise forbidden("Albums, products and user-generated content are for brand accounts.")
    return viewer.user_id


@dataclass(frozen=True)
class ProductInput:
    sku: str
    name: str
    url: str | None = None
    image_url: str | None = None
    price: Money | None = None


@dataclass(frozen=True)
class Submission:
    album_id: UUID
    title: str
    photo_uri: str | None
    upload_id: UUID | None
    email: str | None
    username: str
    product_skus: Sequence[str]
    approved: bool


# Content secret --------------------------------------------------------------------------------


async def rotate_content_secret(ctx: Context) -> str:
    """A new secret for signing submissions, in effect at once (the old one stops verifying); shown only now."""
    user_id = require_brand(ctx)
    secret = secrets.token_urlsafe(32)
    async with ctx.db.unit_of_work() as uow:
        await queries.set_content_secret(uow.session, user_id, secret, utcnow())
        await audit.record(ctx, AuditAction.CONTENT_SECRET_ROTATED, uow=uow, subject_id=user_id)
    return secret


async def check_signature(ctx: Context, brand_id: UUID) -> None:
    """The request's exact body, signed with the brand's content secret (base64 HMAC-SHA1 in ``Signature``)."""
    async with ctx.db.session() as session:
        secret = await queries.content_secret(session, brand_id)
    body = ctx.request.scope.get(RAW_BODY_SCOPE_KEY) if ctx.request is not None else None
    sent = ctx.request.headers.get(rules.SIGNATURE_HEADER) if ctx.request is not None else None
    if not rules.signature_matches(secret, body, sent):
        reason = "missing" if not sent else "not the HMAC-SHA1 of this request's body by your content secret"
        raise DomainError(ErrorCode.SIGNATURE_INVALID, f"The Signature header is {reason}.", ["signature"])


# Albums ------------------------------------------------------------------------------------------


async def _owned_album(ctx: Context, uow: UnitOfWork, album_id: UUID, field: str = "id") -> Album:
    album = await uow.session.get(Album, album_id)
    if album is None or not owns(ctx.viewer, album.user_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such album.", [field])
    return album


async def _known_product(uow: UnitOfWork, brand_id: UUID, sku: str | None, field: str) -> None:
    if sku is not None and not await queries.products_by_skus(uow.session, brand_id, [sku]):
        raise DomainError(ErrorCode.NOT_FOUND, f"No product with SKU {sku}.", [field])


async def create_album(
    ctx: Context, *, name: str, kind: AlbumKind, hashtag: str | None, product_sku: str | None
) -> Album:
    brand_id = require_brand(ctx)
    album = Album(
        id=uuid4(),
        user_id=brand_id,
        name=rules.clean_text(name, "name", rules.MAX_NAME, required=True),
        kind=kind,
        hashtag=rules.clean_hashtag(kind, hashtag),
        product_sku=rules.check_product_album(kind, product_sku),
        upload_slug=secrets.token_urlsafe(18),
    )
    async with ctx.db.unit_of_work() as uow:
        await _known_product(uow, brand_id, album.product_sku, "productSku")
        uow.session.add(album)
    return album


async def update_album(
    ctx: Context, album_id: UUID, *, name: str | None, hashtag: str | None, product_sku: str | None
) -> Album:
    brand_id = require_brand(ctx)
    async with ctx.db.unit_of_work() as uow:
        album = await _owned_album(ctx, uow, album_id)
        if name is not None:
            album.name = rules.clean_text(name, "name", rules.MAX_NAME, required=True)
        if hashtag is not None:
            album.hashtag = rules.clean_hashtag(album.kind, hashtag)
        if product_sku is not None:
            album.product_sku = rules.check_product_album(album.kind, product_sku)
            await _known_product(uow, brand_id, album.product_sku, "productSku")
        return album


async def delete_album(ctx: Context, album_id: UUID) -> None:
    """The album and its content go; the content's photos stay among the brand's private photos."""
    require_brand(ctx)
    async with ctx.db.unit_of_work() as uow:
        await uow.session.delete(await _owned_album(ctx, uow, album_id))


async def album_by_id(ctx: Context, album_id: UUID) -> Album | None:
    album = await ctx.loaders.ugc_album.load(album_id)
    return album if album is not None and owns(ctx.viewer, album.user_id) else None


async def list_albums(ctx: Context, page: PageRequest) -> Page[Album]:
    brand_id = require_brand(ctx)
    return await paginate(ctx.reads, queries.albums_of(brand_id), [Album.created_at, Album.id], page, descending=True)


async def album_content(ctx: Context, album: Album, page: PageRequest) -> Page[Content]:
    """Newest first; first pages of every album on a page of albums come in one batch."""

    async def count() -> int:
        return int(await ctx.loaders.ugc_album_content_count.load(album.id))

    if page.cursor is None and not page.backward:
        rows = await ctx.loaders.ugc_album_content.load(AlbumContentKey(album.id, page.limit))
        shown = rows[: page.limit]
        return Page(
            rows=shown,
            cursors=[encode_cursor((row.created_at.isoformat(), str(row.id))) for row in shown],
            has_next_page=len(rows) > page.limit,
            has_previous_page=False,
            count=count,
        )
    found = await paginate(
        ctx.reads, queries.content_of_album(album.id), [Content.created_at, Content.id], page, descending=True
    )
    return Page(found.rows, found.cursors, found.has_next_page, found.has_previous_page, count)


def upload_link(ctx: Context, album: Album) -> str:
    return f"{ctx.settings.public_url.rstrip('/')}/ugc/albums/{album.upload_slug}"


# Products ----------------------------------------------------------------------------------------


def _product_row(brand_id: UUID, item: ProductInput) -> dict[str, object]:
    price = rules.check_price(item.price)
    now = utcnow()
    return {
        "id": uuid4(),
        "user_id": brand_id,
        "sku": rules.clean_sku(item.sku),
        "name": rules.clean_text(item.name, "name", rules.MAX_NAME, required=True),
        # Links shown beside the content, never fetched by the server: any http(s) URL will do.
        "url": check_url(item.url, allow_private=True, field="url") if item.url else None,
        "image_url": check_url(item.image_url, allow_private=True, field="imageUrl") if item.image_url else None,
        "price_amount": price.amount if price else None,
        "price_currency": price.currency.value if price else None,
        "created_at": now,
        "updated_at": now,
    }


def _product_rows(brand_id: UUID, items: Sequence[ProductInput], *, bulk: bool) -> list[dict[str, object]]:
    """Each item checked; in a bulk upsert a refusal names the item (``["products", "3", "sku"]``)."""
    rows = []
    for index, item in enumerate(items):
        try:
            rows.append(_product_row(brand_id, item))
        except DomainError as refused:
            if bulk:
                refused.field = ["products", str(index), *(refused.field or [])]
            raise
    return rows


async def upsert_products(ctx: Context, items: Sequence[ProductInput], *, bulk: bool) -> list[Product]:
    """Insert or update by SKU, all in one statement and transaction: one bad item refuses them all."""
    brand_id = require_brand(ctx)
    if bulk:
        rules.check_bulk(len(items), rules.MAX_PRODUCTS_PER_UPSERT, "products")
    rows = _product_rows(brand_id, items, bulk=bulk)
    skus = [str(row["sku"]) for row in rows]
    if len(set(skus)) != len(skus):
        raise DomainError(ErrorCode.INVALID_INPUT, "Each SKU may appear once.", ["products"])
    async with ctx.db.unit_of_work() as uow:
        await queries.upsert_products(uow.session, rows)
        return await queries.products_by_skus(uow.session, brand_id, skus)


async def delete_product(ctx: Context, sku: str) -> None:
    brand_id = require_brand(ctx)
    async with ctx.db.unit_of_work() as uow:
        if not await queries.delete_product(uow.session, brand_id, rules.clean_sku(sku)):
            raise DomainError(ErrorCode.NOT_FOUND, f"No product with SKU {sku}.", ["sku"])


async def list_products(ctx: Context, page: PageRequest) -> Page[Product]:
    brand_id = require_brand(ctx)
    return await paginate(
        ctx.reads, queries.products_of(brand_id), [Product.created_at, Product.id], page, descending=True
    )


async def product_by_id(ctx: Context, product_id: UUID) -> Product | None:
    product = await ctx.loaders.ugc_product.load(product_id)
    return product if product is not None and owns(ctx.viewer, product.user_id) else None


async def products_of(ctx: Context, content: Content) -> list[Product]:
    return list(await ctx.loaders.ugc_content_products.load(content.id))


async def tag_products(uow: UnitOfWork, content: Content, skus: Sequence[str], field: str = "productSkus") -> None:
    """Replaces the content's product tags; an unknown SKU refuses the whole change."""
    products = await queries.products_by_skus(uow.session, content.brand_id, skus)
    rules.unknown_skus(skus, [product.sku for product in products], field)
    await queries.replace_content_products(uow.session, content.id, [product.id for product in products])


# Submission --------------------------------------------------------------------------------------


def _new_content(album: Album, submission: Submission, source: ContentSource, media: MediaStatus) -> Content:
    status = ContentStatus.APPROVED if submission.approved else ContentStatus.PENDING
    return Content(
        id=uuid4(),
        brand_id=album.user_id,
        album_id=album.id,
        source=source,
        source_url=None,
        title=rules.clean_text(submission.title, "title", rules.MAX_TITLE) or "Untitled",
        author_email=rules.clean_email(submission.email),
        author_username=rules.clean_text(submission.username, "username", rules.MAX_USERNAME, required=True),
        status=status,
        media_status=media,
        moderated_at=utcnow() if submission.approved else None,
    )


def _emit_submitted(uow: UnitOfWork, content: Content) -> None:
    uow.emit(ContentSubmitted(content_id=content.id, album_id=content.album_id, audience=(content.brand_id,)))
    if content.status is ContentStatus.APPROVED:
        uow.emit(ContentApproved(content_id=content.id, album_id=content.album_id, audience=(content.brand_id,)))


async def submit_content(ctx: Context, submission: Submission) -> Content:
    """From a partner's server: its API key and the body's signature. A photoUri is fetched after commit by
    ``ugc.fetch_content``; an upload (requested with ``requestContentUpload``) is checked and kept now."""
    viewer = ctx.viewer
    if viewer is None or not viewer.via_api_key:
        raise unauthenticated("Submit content with your API key (X-API-Key or Authorization: Bearer).")
    brand_id = require_brand(ctx)
    # The signature first: an unsigned request learns nothing, not even what of its input is wrong.
    await check_signature(ctx, brand_id)
    rules.check_one_source(submission.photo_uri, submission.upload_id)
    skus = rules.clean_skus(submission.product_skus)
    source_url = (
        check_url(submission.photo_uri, ctx.settings.outbound_allow_private, field="photoUri")
        if submission.photo_uri is not None
        else None
    )
    async with ctx.db.unit_of_work() as uow:
        album = await _owned_album(ctx, uow, submission.album_id, "albumId")
        known = await queries.products_by_skus(uow.session, brand_id, skus)
        rules.unknown_skus(skus, [product.sku for product in known])
        if submission.upload_id is None:
            # By URL: recorded FETCHING in this one transaction; the fetch follows content.submitted.
            content = _new_content(album, submission, ContentSource.API, MediaStatus.FETCHING)
            content.source_url = source_url
            uow.session.add(content)
            await uow.session.flush()
            await tag_products(uow, content, skus)
            _emit_submitted(uow, content)
            return content
    return await _content_from_upload(ctx, album, submission, skus, ContentSource.API)


async def _content_from_upload(
    ctx: Context, album: Album, submission: Submission, skus: Sequence[str], source: ContentSource
) -> Content:
    assert submission.upload_id is not None
    upload, data = await read_upload(ctx, submission.upload_id, UploadPurpose.PHOTO, owner_id=album.user_id)
    content = _new_content(album, submission, source, MediaStatus.PROCESSING)
    async with accepted_photo(
        ctx,
        upload,
        data,
        user_id=album.user_id,
        title=photo_rules.clean_title(content.title),
        visibility=Visibility.PRIVATE,
    ) as (uow, photo):
        content.photo_id = photo.id
        uow.session.add(content)
        await uow.session.flush()
        await tag_products(uow, content, skus)
        _emit_submitted(uow, content)
    return content


async def _album_by_link(ctx: Context, slug: str) -> Album:
    async with ctx.db.session() as session:
        album = await queries.album_by_slug(session, slug)
    if album is None:
        raise DomainError(ErrorCode.NOT_FOUND, "This upload link does not exist (any more).", ["uploadLink"])
    return album


async def request_content_upload(
    ctx: Context, *, album_id: UUID | None, upload_link: str | None, filename: str, mime_type: str, size: int
) -> RequestedUpload:
    """A presigned target for a photo for an album: the brand's own (by ``albumId``), or anyone's holding the
    album's public upload link (its last path part)."""
    if (album_id is None) == (upload_link is None):
        raise DomainError(ErrorCode.INVALID_INPUT, "Give either albumId or uploadLink.", ["albumId"])
    if album_id is not None:
        require_brand(ctx)
        async with ctx.db.unit_of_work() as uow:
            album = await _owned_album(ctx, uow, album_id, "albumId")
    else:
        album = await _album_by_link(ctx, _slug(upload_link or ""))
    limit = ctx.settings.ugc_max_photo_bytes
    if size > limit:
        # Not a plan's limit (the photos' message would say so): one for every album.
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED, f"Photos for albums may be at most {limit} bytes.", ["fileSizeBytes"]
        )
    name = photo_rules.check_upload_request(filename, mime_type, size, limit)
    return await new_upload(
        ctx, user_id=album.user_id, purpose=UploadPurpose.PHOTO, name=name, mime_type=mime_type, size=size
    )


async def submit_by_link(
    ctx: Context, upload_link: str, *, upload_id: UUID, title: str, email: str | None, username: str
) -> Content:
    """A fan's photo through the album's public link: always PENDING (nobody signed for it), never tagged."""
    album = await _album_by_link(ctx, _slug(upload_link))
    fan = Submission(
        album_id=album.id,
        title=title,
        photo_uri=None,
        upload_id=upload_id,
        email=email,
        username=username,
        product_skus=(),
        approved=False,
    )
    return await _content_from_upload(ctx, album, fan, (), ContentSource.UPLOAD_LINK)


def _slug(upload_link: str) -> str:
    return upload_link.rstrip("/").rsplit("/", 1)[-1]
