"""Queries for user-generated content: albums, products, content, product tags and rights requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from lensgraph.domain.ugc import ContentStatus, MediaStatus, RightsRequestStatus, RightsStatus
from lensgraph.persistence.base import dialect_insert, grouped
from lensgraph.persistence.models import Album, Content, ContentProduct, ContentSecret, Product, RightsRequest


@dataclass(frozen=True)
class AlbumContentKey:
    """A first page of an album's content: ``limit + 1`` rows tell whether another page follows."""

    album_id: UUID
    limit: int


def albums_of(user_id: UUID) -> Select[Any]:
    return select(Album).where(Album.user_id == user_id)


def products_of(user_id: UUID) -> Select[Any]:
    return select(Product).where(Product.user_id == user_id)


def content_of_album(album_id: UUID) -> Select[Any]:
    return select(Content).where(Content.album_id == album_id)


def content_of_product(product_id: UUID) -> Select[Any]:
    return (
        select(Content)
        .join(ContentProduct, ContentProduct.content_id == Content.id)
        .where(ContentProduct.product_id == product_id)
    )


def media_matching(query: Select[Any], *, approved: bool | None, has_products: bool | None) -> Select[Any]:
    """``query``'s content narrowed to approved (True) or not approved (False) media, with or without products
    tagged; None leaves that side open."""
    if approved is not None:
        is_approved = Content.status == ContentStatus.APPROVED
        query = query.where(is_approved if approved else ~is_approved)
    if has_products is not None:
        tagged = exists().where(ContentProduct.content_id == Content.id)
        query = query.where(tagged if has_products else ~tagged)
    return query


def media_order(by_popularity: bool) -> list[Any]:
    """Sort keys, greatest first: newest, or most popular and then newest."""
    keys: list[Any] = [Content.created_at, Content.id]
    return [Content.popularity, *keys] if by_popularity else keys


async def content_secret(session: AsyncSession, user_id: UUID) -> str | None:
    return await session.scalar(select(ContentSecret.secret).where(ContentSecret.user_id == user_id))


async def set_content_secret(session: AsyncSession, user_id: UUID, secret: str, now: datetime) -> None:
    statement = dialect_insert(session, ContentSecret).values(user_id=user_id, secret=secret, rotated_at=now)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ContentSecret.user_id], set_={"secret": secret, "rotated_at": now}
        )
    )


async def upsert_products(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or update by (brand, SKU) in one statement: concurrent upserts of a SKU meet on its unique index."""
    statement = dialect_insert(session, Product).values(list(rows))
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Product.user_id, Product.sku],
            set_={
                "name": excluded.name,
                "url": excluded.url,
                "image_url": excluded.image_url,
                "price_amount": excluded.price_amount,
                "price_currency": excluded.price_currency,
                "updated_at": excluded.updated_at,
            },
        )
    )


async def products_by_skus(session: AsyncSession, user_id: UUID, skus: Sequence[str]) -> list[Product]:
    if not skus:
        return []
    rows = await session.scalars(select(Product).where(Product.user_id == user_id, Product.sku.in_(set(skus))))
    by_sku = {row.sku: row for row in rows}
    return [by_sku[sku] for sku in skus if sku in by_sku]


async def delete_product(session: AsyncSession, user_id: UUID, sku: str) -> bool:
    result = await session.execute(delete(Product).where(Product.user_id == user_id, Product.sku == sku))
    return bool(getattr(result, "rowcount", 0))


async def replace_content_products(session: AsyncSession, content_id: UUID, product_ids: Sequence[UUID]) -> None:
    await session.execute(delete(ContentProduct).where(ContentProduct.content_id == content_id))
    if product_ids:
        await session.execute(
            dialect_insert(session, ContentProduct).values(
                [{"content_id": content_id, "product_id": product_id} for product_id in product_ids]
            )
        )


async def contents_by_ids(session: AsyncSession, ids: Sequence[UUID]) -> list[Content]:
    return list(await session.scalars(select(Content).where(Content.id.in_(set(ids)))))


async def moderate(session: AsyncSession, content_id: UUID, current: ContentStatus, values: dict[str, Any]) -> bool:
    """Moves one content on from the status it was read in; a concurrent change makes it match nothing."""
    result = await session.execute(
        update(Content).where(Content.id == content_id, Content.status == current).values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


async def set_commercial_use(session: AsyncSession, content_id: UUID, value: bool) -> bool:
    """Only rights-granted content takes the mark: checked in the UPDATE itself, not read then written."""
    statement = update(Content).where(Content.id == content_id).values(commercial_use=value)
    if value:
        statement = statement.where(Content.rights_status == RightsStatus.GRANTED)
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def claim_rights_link(session: AsyncSession, request_id: UUID, token_hash: str, now: datetime) -> bool:
    """The mail job takes the link once: a second run finds it taken and mails nothing."""
    result = await session.execute(
        update(RightsRequest)
        .where(
            RightsRequest.id == request_id,
            RightsRequest.token_hash.is_(None),
            RightsRequest.status == RightsRequestStatus.PENDING,
        )
        .values(token_hash=token_hash, mailed_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def rights_request_by_token(session: AsyncSession, token_hash: str) -> RightsRequest | None:
    return await session.scalar(select(RightsRequest).where(RightsRequest.token_hash == token_hash))


async def answer_rights_request(
    session: AsyncSession,
    token_hash: str,
    now: datetime,
    answer: RightsRequestStatus,
    ip_address: str | None,
    user_agent: str | None,
) -> bool:
    """Single use under concurrency: only a PENDING, unexpired request changes, so of two answers one wins."""
    result = await session.execute(
        update(RightsRequest)
        .where(
            RightsRequest.token_hash == token_hash,
            RightsRequest.status == RightsRequestStatus.PENDING,
            RightsRequest.expires_at > now,
        )
        .values(status=answer, answered_at=now, ip_address=ip_address, user_agent=user_agent)
    )
    return bool(getattr(result, "rowcount", 0))


async def set_rights_status(session: AsyncSession, content_id: UUID, status: RightsStatus) -> None:
    values: dict[str, Any] = {"rights_status": status}
    if status is not RightsStatus.GRANTED:
        # Commercial use rests on a grant: without one (declined, asked again) the mark goes.
        values["commercial_use"] = False
    await session.execute(update(Content).where(Content.id == content_id).values(**values))


async def latest_rights_requests(session: AsyncSession, content_ids: Sequence[UUID]) -> list[RightsRequest | None]:
    ranked = (
        select(
            RightsRequest,
            func.row_number()
            .over(partition_by=RightsRequest.content_id, order_by=(RightsRequest.created_at.desc(), RightsRequest.id))
            .label("rank"),
        )
        .where(RightsRequest.content_id.in_(set(content_ids)))
        .subquery()
    )
    request = aliased(RightsRequest, ranked)
    rows = await session.scalars(select(request).where(ranked.c.rank == 1))
    by_content = {row.content_id: row for row in rows}
    return [by_content.get(content_id) for content_id in content_ids]


async def products_of_contents(session: AsyncSession, content_ids: Sequence[UUID]) -> list[list[Product]]:
    rows = await session.execute(
        select(ContentProduct.content_id, Product)
        .join(Product, Product.id == ContentProduct.product_id)
        .where(ContentProduct.content_id.in_(set(content_ids)))
        .order_by(ContentProduct.content_id, Product.sku)
    )
    return grouped(((content_id, product) for content_id, product in rows.all()), content_ids)


async def first_content_of_albums(session: AsyncSession, keys: Sequence[AlbumContentKey]) -> list[list[Content]]:
    """The newest ``limit + 1`` content of each album, in one statement for every album on a page."""
    rank = (
        func.row_number()
        .over(partition_by=Content.album_id, order_by=(Content.created_at.desc(), Content.id.desc()))
        .label("rank_in_album")
    )
    window = select(Content, rank).where(Content.album_id.in_({key.album_id for key in keys})).subquery()
    content = aliased(Content, window)
    rows = await session.scalars(
        select(content)
        .where(window.c.rank_in_album <= max(key.limit for key in keys) + 1)
        .order_by(window.c.album_id, window.c.rank_in_album)
    )
    found = grouped(((row.album_id, row) for row in rows), [key.album_id for key in keys])
    return [entries[: key.limit + 1] for entries, key in zip(found, keys, strict=True)]


async def album_content_counts(session: AsyncSession, album_ids: Sequence[UUID]) -> list[int]:
    rows = await session.execute(
        select(Content.album_id, func.count()).where(Content.album_id.in_(set(album_ids))).group_by(Content.album_id)
    )
    counts = {album_id: int(total) for album_id, total in rows.all()}
    return [counts.get(album_id, 0) for album_id in album_ids]


async def content_of_photo(session: AsyncSession, photo_id: UUID) -> Content | None:
    return await session.scalar(select(Content).where(Content.photo_id == photo_id))


async def album_by_slug(session: AsyncSession, slug: str) -> Album | None:
    return await session.scalar(select(Album).where(Album.upload_slug == slug))


async def count_fetch_attempt(session: AsyncSession, content_id: UUID) -> int:
    """Adds one failed fetch to the content's count (in the UPDATE itself: concurrent runs both count) and
    answers the count."""
    await session.execute(
        update(Content).where(Content.id == content_id).values(fetch_attempts=Content.fetch_attempts + 1)
    )
    return int(await session.scalar(select(Content.fetch_attempts).where(Content.id == content_id)) or 0)


async def take_fetched_media(session: AsyncSession, content_id: UUID, photo_id: UUID) -> bool:
    """FETCHING -> PROCESSING with its photo, once: False when another run (or a failure) got there first."""
    claimed = await session.execute(
        update(Content)
        .where(Content.id == content_id, Content.media_status == MediaStatus.FETCHING)
        .values(media_status=MediaStatus.PROCESSING, photo_id=photo_id)
    )
    return bool(getattr(claimed, "rowcount", 0))


async def fail_fetch(session: AsyncSession, content_id: UUID, reason: str) -> None:
    """A fetch still running ends FAILED with its reason (one that finished meanwhile is left alone)."""
    await session.execute(
        update(Content)
        .where(Content.id == content_id, Content.media_status == MediaStatus.FETCHING)
        .values(media_status=MediaStatus.FAILED, failure_reason=reason[:300])
    )
