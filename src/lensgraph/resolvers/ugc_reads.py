"""Reading user-generated content: an album's media and a product's media (the brand's, all of it; anyone's,
approved media only), storefront engagement counted from the tracking pixel and beacon, and its reports."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

from lensgraph.domain import ugc_engagement as rules
from lensgraph.domain.analytics import window
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import owns
from lensgraph.domain.ugc import ContentStatus
from lensgraph.domain.ugc_engagement import DayTotals
from lensgraph.persistence import ugc as queries
from lensgraph.persistence import ugc_engagement as engagement_queries
from lensgraph.persistence.models import Album, Content
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.photos import rendition_url


class MediaOrder(Enum):
    RECENCY = "RECENCY"
    POPULARITY = "POPULARITY"


@dataclass(frozen=True)
class MediaFilter:
    approved: bool | None = None
    has_products: bool | None = None


async def public_album(ctx: Context, album_id: UUID) -> Album | None:
    """Anyone may read an album by its id: its approved media are public (what else it shows is the brand's)."""
    return await ctx.loaders.ugc_album.load(album_id)


def require_own_album(ctx: Context, album: Album) -> None:
    if not owns(ctx.viewer, album.user_id):
        raise forbidden("Only the album's brand sees this.")


def _media(ctx: Context, query: Any, brand_id: UUID, chosen: MediaFilter) -> Any:
    """The brand sees all of its media, filtered as asked; anyone else approved media only."""
    approved = True if not owns(ctx.viewer, brand_id) else chosen.approved
    return queries.media_matching(query, approved=approved, has_products=chosen.has_products)


async def _page(ctx: Context, query: Any, order: MediaOrder, page: PageRequest) -> Page[Content]:
    if page.backward:
        raise DomainError(ErrorCode.INVALID_INPUT, "Media lists page forward: use first and after.", ["last"])
    keys = queries.media_order(by_popularity=order is MediaOrder.POPULARITY)
    return await paginate(ctx.reads, query, keys, page, descending=True)


async def album_media(
    ctx: Context, album: Album, chosen: MediaFilter, order: MediaOrder, page: PageRequest
) -> Page[Content]:
    query = _media(ctx, queries.content_of_album(album.id), album.user_id, chosen)
    return await _page(ctx, query, order, page)


async def product_media(
    ctx: Context, sku: str, brand_id: UUID | None, order: MediaOrder, page: PageRequest
) -> Page[Content] | None:
    """The media tagged with a brand's product: the caller's own (a brand) unless ``brand_id`` names another;
    None when the brand has no such product."""
    if brand_id is None:
        if ctx.viewer is None:
            raise DomainError(ErrorCode.INVALID_INPUT, "Name the brand (brandId) or send its API key.", ["brandId"])
        brand_id = ctx.viewer.user_id
    async with ctx.db.session() as session:
        found = await queries.products_by_skus(session, brand_id, [sku.strip()])
    if not found:
        return None
    query = _media(ctx, queries.content_of_product(found[0].id), brand_id, MediaFilter())
    return await _page(ctx, query, order, page)


def visible_to(ctx: Context, content: Content) -> bool:
    """A content others may see: approved. The brand sees all of its own."""
    return content.status is ContentStatus.APPROVED or owns(ctx.viewer, content.brand_id)


async def media_url(ctx: Context, content: Content, *, thumbnail: bool) -> str | None:
    """The content's image (its photo's unwatermarked preview or thumbnail) for storefronts: approved content,
    or the brand's own. The signed URL expires on a whole hour, an hour or two ahead, so that the same answer
    repeats for an hour (its ETag with it) with storage that signs by expiry alone (local)."""
    if content.photo_id is None or not visible_to(ctx, content):
        return None
    photo = await ctx.loaders.photo.load(content.photo_id)
    if photo is None:
        return None
    now = time.time()
    expires_at = (math.floor(now / 3600) + 2) * 3600
    key = photo.thumbnail_key if thumbnail else photo.preview_key
    return await rendition_url(ctx, key, expires_in=timedelta(seconds=expires_at - now))


# Engagement ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    first: date
    last: date
    daily: list[DayTotals]

    @property
    def totals(self) -> rules.Totals:
        return rules.total(self.daily)


async def album_report(ctx: Context, album: Album, first: date, last: date) -> Report:
    require_own_album(ctx, album)
    chosen = window(first, last)
    async with ctx.db.session() as session:
        found = await engagement_queries.album_engagement(session, album.id, chosen.first, chosen.last)
    return Report(chosen.first, chosen.last, rules.daily(chosen.dates(), found))


async def content_report(ctx: Context, content: Content, first: date, last: date) -> Report | None:
    """The brand's only (null for everyone else)."""
    if not owns(ctx.viewer, content.brand_id):
        return None
    chosen = window(first, last)
    found = await ctx.loaders.ugc_content_engagement.load((content.id, chosen.first, chosen.last))
    return Report(chosen.first, chosen.last, rules.daily(chosen.dates(), found))


async def product_report(ctx: Context, product_id: UUID, brand_id: UUID, first: date, last: date) -> Report | None:
    if not owns(ctx.viewer, brand_id):
        return None
    chosen = window(first, last)
    found = await ctx.loaders.ugc_product_engagement.load((product_id, chosen.first, chosen.last))
    return Report(chosen.first, chosen.last, rules.daily(chosen.dates(), found))
