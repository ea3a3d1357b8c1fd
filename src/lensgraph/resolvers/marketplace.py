"""Marketplace listings: selling an authentic verification under license tiers, browsing what is on sale, and the
seller's sales figures. Purchases are in ``resolvers.purchases``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from lensgraph.domain import marketplace as rules
from lensgraph.domain.analytics import window
from lensgraph.domain.discovery import search_terms
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.marketplace import LicenseTier, ListingOrder, SalesFigures, TierOffer
from lensgraph.domain.money import parse_currency
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import owns
from lensgraph.persistence import marketplace as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation
from lensgraph.persistence.marketplace import ListingFilter, PhotoHashes
from lensgraph.persistence.models import Listing, Photo, Verification
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.discovery import nothing_found


@dataclass(frozen=True)
class ListingChanges:
    """What ``createListing`` and ``updateListing`` give: the listing as the seller wants it."""

    title: str
    description: str
    currency: str
    tiers: Sequence[TierOffer]


async def create_listing(ctx: Context, verification_id: UUID, changes: ListingChanges) -> Listing:
    """Puts the viewer's COMPLETED authentic verification on sale; one listing on sale per verification."""
    viewer = ctx.require_viewer()
    terms = rules.listing_terms(changes.title, changes.description, changes.currency, changes.tiers)
    try:
        async with ctx.db.unit_of_work() as uow:
            rules.check_listable(viewer.user_id, await queries.verification_facts(uow.session, verification_id))
            row = Listing(
                verification_id=verification_id,
                seller_id=viewer.user_id,
                title=terms.title,
                description=terms.description,
                currency=terms.currency,
                lowest_price=terms.lowest_price,
                active=True,
            )
            uow.session.add(row)
            # The partial unique index refuses a second active listing here, before the tiers are written.
            await uow.session.flush()
            await queries.write_tiers(uow.session, row.id, terms)
    except ConstraintViolation:
        raise DomainError(
            ErrorCode.ALREADY_EXISTS, "This verification is on sale already: update that listing.", ["verificationId"]
        ) from None
    return row


async def update_listing(ctx: Context, listing_id: UUID, version: int | None, changes: ListingChanges) -> Listing:
    """Rewrites an active listing of the viewer's; purchases made already keep the price and terms they paid for."""
    viewer = ctx.require_viewer()
    terms = rules.listing_terms(changes.title, changes.description, changes.currency, changes.tiers)
    async with ctx.db.unit_of_work() as uow:
        # Held first: a checkout opening on the listing meanwhile sees either the old tiers or the new ones.
        await queries.hold_listing(uow.session, listing_id)
        row = await uow.session.get(Listing, listing_id)
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No listing of yours has this ID.", ["listingId"])
        rules.check_editable(viewer.user_id, row.seller_id, row.active)
        _check_version(row, version)
        row.title, row.description, row.currency = terms.title, terms.description, terms.currency
        row.lowest_price = terms.lowest_price
        await uow.session.flush()
        await queries.write_tiers(uow.session, row.id, terms)
    return row


async def deactivate_listing(ctx: Context, listing_id: UUID, version: int | None) -> Listing:
    """Takes the listing off sale for good; its buyers keep their downloads."""
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        await queries.hold_listing(uow.session, listing_id)
        row = await uow.session.get(Listing, listing_id)
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No listing of yours has this ID.", ["listingId"])
        rules.check_editable(viewer.user_id, row.seller_id, row.active)
        _check_version(row, version)
        row.active, row.deactivated_at = False, utcnow()
    return row


def _check_version(row: Listing, version: int | None) -> None:
    if version is not None and version != row.version:
        raise DomainError(
            ErrorCode.CONFLICT, "This listing changed since you loaded it: load it again and retry.", ["version"]
        )


# Browsing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingQuery:
    """``marketplaceListings``' filter as given: checked by ``listing_filter``."""

    currency: str | None = None
    tier: LicenseTier | None = None
    min_price: int | None = None
    max_price: int | None = None
    search: str | None = None


def listing_filter(given: ListingQuery) -> ListingFilter:
    currency = parse_currency(given.currency, "currency") if given.currency is not None else None
    if (given.min_price is not None or given.max_price is not None) and currency is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "A price range is in one currency: give the currency too.", ["filter", "currency"]
        )
    for bound, name in ((given.min_price, "min"), (given.max_price, "max")):
        if bound is not None and bound < 0:
            raise DomainError(ErrorCode.INVALID_INPUT, "Prices are zero or more.", ["filter", "priceRange", name])
    if given.min_price is not None and given.max_price is not None and given.min_price > given.max_price:
        raise DomainError(ErrorCode.INVALID_INPUT, "`max` must be at least `min`.", ["filter", "priceRange", "max"])
    words = search_terms(given.search) if given.search is not None else []
    return ListingFilter(currency, given.tier, given.min_price, given.max_price, words)


async def browse_listings(ctx: Context, given: ListingQuery, order: ListingOrder, page: PageRequest) -> Page[Listing]:
    chosen = listing_filter(given)
    if given.search is not None and not chosen.search:
        return nothing_found()
    keys, descending = queries.ORDER_KEYS[order]
    return await paginate(ctx.reads, queries.on_sale(chosen), keys, page, descending=descending)


async def list_listings(ctx: Context, page: PageRequest) -> Page[Listing]:
    viewer = ctx.require_viewer()
    return await paginate(
        ctx.reads, queries.listings_of(viewer.user_id), [Listing.created_at, Listing.id], page, descending=True
    )


def can_see_listing(ctx: Context, row: Listing) -> bool:
    """Listings on sale are public; a deactivated one is its seller's (and its buyers', through their purchases)."""
    return row.active or owns(ctx.viewer, row.seller_id)


async def sales_figures(ctx: Context, row: Listing, first: date, last: date) -> SalesFigures | None:
    """The listing's completed sales in a window of whole UTC days; None for anyone but the seller."""
    if not owns(ctx.viewer, row.seller_id):
        return None
    chosen = window(first, last)
    async with ctx.db.session() as session:
        rows = await queries.daily_sales(session, row.id, chosen)
    return rules.sales_figures(chosen, row.currency, rows)


# The verified badge -------------------------------------------------------------------------------


async def photo_verification(ctx: Context, photo: Photo) -> Verification | None:
    """The photo owner's COMPLETED authentic verification of the same image (``rules.same_image``), if any."""
    found: Verification | None = await ctx.loaders.photo_verification.load(
        PhotoHashes(photo.user_id, photo.original_sha256, photo.phash)
    )
    return found
