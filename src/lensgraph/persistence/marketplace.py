"""Queries for the marketplace: listings and their tiers, purchases, sales by day, and the verified badge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Integer, Select, and_, delete, exists, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from lensgraph.domain.analytics import Window
from lensgraph.domain.marketplace import (
    LicenseTier,
    ListingOrder,
    ListingTerms,
    PurchaseStatus,
    TierOffer,
    VerificationFacts,
    same_image,
)
from lensgraph.domain.money import Currency
from lensgraph.domain.payments import PaymentStatus
from lensgraph.domain.photos import DUPLICATE_DISTANCE
from lensgraph.domain.verification import VerificationStatus
from lensgraph.persistence.base import UTCDay, grouped, take_write_lock
from lensgraph.persistence.db import PHASH_DISTANCE
from lensgraph.persistence.models import Listing, ListingTier, Payment, Photo, Purchase, Verification

ORDER_KEYS: Mapping[ListingOrder, tuple[Sequence[InstrumentedAttribute[Any]], bool]] = {
    ListingOrder.NEWEST: ((Listing.created_at, Listing.id), True),
    ListingOrder.PRICE_LOW_TO_HIGH: ((Listing.lowest_price, Listing.id), False),
    ListingOrder.PRICE_HIGH_TO_LOW: ((Listing.lowest_price, Listing.id), True),
    ListingOrder.BEST_SELLING: ((Listing.total_sales, Listing.id), True),
}


# Verifications, as the marketplace sees them ------------------------------------------------------


def _facts(row: Verification) -> VerificationFacts:
    return VerificationFacts(
        owner_id=row.user_id,
        completed=row.status is VerificationStatus.COMPLETED,
        failed=row.status is VerificationStatus.FAILED,
        authentic=row.authentic,
    )


async def verification_facts(session: AsyncSession, verification_id: UUID) -> VerificationFacts | None:
    row = await session.get(Verification, verification_id)
    return _facts(row) if row else None


def _proven() -> ColumnElement[bool]:
    """A verification that completed and found its photo authentic: what listings and badges stand on."""
    return and_(Verification.status == VerificationStatus.COMPLETED, Verification.authentic.is_(True))


# Listings -----------------------------------------------------------------------------------------


def _tier_rows(listing_id: UUID, terms: ListingTerms) -> list[dict[str, Any]]:
    return [
        {"listing_id": listing_id, "tier": offer.tier, "price": offer.price, "terms": offer.terms}
        for offer in terms.tiers
    ]


async def write_tiers(session: AsyncSession, listing_id: UUID, terms: ListingTerms) -> None:
    """Replaces the listing's tiers with ``terms``' (the listing's row exists: flushed by the caller)."""
    await session.execute(delete(ListingTier).where(ListingTier.listing_id == listing_id))
    await session.execute(insert(ListingTier).values(_tier_rows(listing_id, terms)))


async def listing_tiers(session: AsyncSession, listing_ids: Sequence[UUID]) -> list[list[TierOffer]]:
    """Each listing's tiers, in the tiers' declared order: one statement for the batch."""
    rows = await session.execute(select(ListingTier).where(ListingTier.listing_id.in_(listing_ids)))
    order = list(LicenseTier)
    offers = sorted(
        ((row.listing_id, TierOffer(row.tier, row.price, row.terms)) for row in rows.scalars()),
        key=lambda item: order.index(item[1].tier),
    )
    return grouped(offers, listing_ids)


async def hold_listing(session: AsyncSession, listing_id: UUID) -> bool:
    """Serialises what changes a listing or opens a checkout on it (``take_write_lock``); False for none."""
    return await take_write_lock(session, Listing, Listing.id == listing_id) > 0


@dataclass(frozen=True)
class ListingFilter:
    currency: Currency | None = None
    tier: LicenseTier | None = None
    min_price: int | None = None
    max_price: int | None = None
    search: Sequence[str] = ()


def on_sale(given: ListingFilter) -> Select[Listing]:
    """Active listings meeting every condition: the price range applies to the tier asked for, else to any tier."""
    query = select(Listing).where(Listing.active.is_(True))
    if given.currency is not None:
        query = query.where(Listing.currency == given.currency)
    if given.tier is not None or given.min_price is not None or given.max_price is not None:
        # Served by ix_listing_tiers_tier_price when a tier is given, by the primary key otherwise.
        tier = [ListingTier.listing_id == Listing.id]
        if given.tier is not None:
            tier.append(ListingTier.tier == given.tier)
        if given.min_price is not None:
            tier.append(ListingTier.price >= given.min_price)
        if given.max_price is not None:
            tier.append(ListingTier.price <= given.max_price)
        query = query.where(exists().where(*tier))
    for word in given.search:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(Listing.title).like(pattern, escape="\\"),
                func.lower(Listing.description).like(pattern, escape="\\"),
            )
        )
    return query


def listings_of(seller_id: UUID) -> Select[Listing]:
    return select(Listing).where(Listing.seller_id == seller_id)


async def add_sale(session: AsyncSession, listing_id: UUID, sales: int, revenue: int) -> None:
    """Adds to the listing's totals in the database (negative for a refund), whatever any session holds of it."""
    await session.execute(
        update(Listing)
        .where(Listing.id == listing_id)
        .values(total_sales=Listing.total_sales + sales, total_revenue=Listing.total_revenue + revenue)
        .execution_options(synchronize_session=False)
    )


# Purchases ----------------------------------------------------------------------------------------


def purchases_of(buyer_id: UUID) -> Select[Purchase]:
    return select(Purchase).where(Purchase.buyer_id == buyer_id)


def sales_of(seller_id: UUID) -> Select[Purchase]:
    """The seller's completed sales (open or unpaid checkouts are no sale)."""
    return select(Purchase).where(Purchase.seller_id == seller_id, Purchase.status == PurchaseStatus.COMPLETED)


async def open_purchase(session: AsyncSession, listing_id: UUID, buyer_id: UUID, tier: LicenseTier) -> Purchase | None:
    """The buyer's pending purchase of this tier; read once the listing is held (``hold_listing``)."""
    return await session.scalar(
        select(Purchase).where(
            Purchase.listing_id == listing_id,
            Purchase.buyer_id == buyer_id,
            Purchase.tier == tier,
            Purchase.status == PurchaseStatus.PENDING,
        )
    )


async def pending_payment(session: AsyncSession, purchase_id: UUID) -> Payment | None:
    query = select(Payment).where(Payment.purchase_id == purchase_id, Payment.status == PaymentStatus.PENDING)
    return await session.scalar(query)


async def hold_purchase_of_checkout(session: AsyncSession, checkout_session_id: str) -> bool:
    """Holds the purchase a checkout pays for, before its payment is read (as ``hold_license_of_checkout``)."""
    return await _hold_purchase_paid_by(session, Payment.stripe_checkout_session_id == checkout_session_id)


async def hold_purchase_of_intent(session: AsyncSession, payment_intent_id: str) -> bool:
    """Holds the purchase a payment intent paid for; False when it paid no purchase."""
    return await _hold_purchase_paid_by(session, Payment.stripe_payment_intent_id == payment_intent_id)


async def _hold_purchase_paid_by(session: AsyncSession, paid_by: ColumnElement[bool]) -> bool:
    purchase_key = select(Payment.purchase_id).where(paid_by).limit(1).scalar_subquery()
    return await take_write_lock(session, Purchase, Purchase.id == purchase_key) > 0


async def record_licensed_copy(session: AsyncSession, purchase_id: UUID, key: str, sha256: str) -> None:
    """Records the licensed copy once; a copy recorded by a concurrent download stays (it is the same bytes)."""
    await session.execute(
        update(Purchase)
        .where(Purchase.id == purchase_id, Purchase.licensed_key.is_(None))
        .values(licensed_key=key, licensed_sha256=sha256)
        .execution_options(synchronize_session=False)
    )


async def daily_sales(session: AsyncSession, listing_id: UUID, chosen: Window) -> list[tuple[date, int, int]]:
    """(day, sales, revenue) of the listing's completed sales in the window, by the UTC day they were paid."""
    day = UTCDay(Purchase.paid_at)
    rows = await session.execute(
        select(day, func.count(), func.sum(Purchase.amount))
        .where(
            Purchase.listing_id == listing_id,
            Purchase.status == PurchaseStatus.COMPLETED,
            Purchase.paid_at >= chosen.starts_at,
            Purchase.paid_at < chosen.ends_before,
        )
        .group_by(day)
    )
    return [(date.fromisoformat(str(paid_on)), int(count), int(revenue)) for paid_on, count, revenue in rows]


# The verified badge -------------------------------------------------------------------------------


class PhashDistance(FunctionElement[int]):
    """Bits that differ between two hex perceptual hashes (``domain.marketplace.hamming``); NULL for a missing one."""

    type = Integer()
    inherit_cache = True


@compiles(PhashDistance, "postgresql")
def _phash_distance_postgresql(element: PhashDistance, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"bit_count(CAST('x' || {first} AS bit(64)) # CAST('x' || {second} AS bit(64)))"


@compiles(PhashDistance, "sqlite")
def _phash_distance_sqlite(element: PhashDistance, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{PHASH_DISTANCE}({compiler.process(element.clauses, **kw)})"


def verified_photo() -> ColumnElement[bool]:
    """The SQL form of ``domain.marketplace.same_image`` against the owner's proven verifications: a photo that
    shows a JPEG its owner verified authentic."""
    return exists().where(
        Verification.user_id == Photo.user_id,
        _proven(),
        or_(
            Verification.image_sha256 == Photo.original_sha256,
            PhashDistance(Verification.image_phash, Photo.phash) <= DUPLICATE_DISTANCE,
        ),
    )


@dataclass(frozen=True)
class PhotoHashes:
    """A loader key: the owner of a photo and its hashes."""

    owner_id: UUID
    sha256: str | None
    phash: str | None


async def photo_verifications(session: AsyncSession, photos: Sequence[PhotoHashes]) -> list[Verification | None]:
    """For each photo, its owner's newest proven verification of the same image: one statement for the batch,
    reading only the verifications that match some photo of the batch (SQL's ``verified_photo`` condition)."""
    matches = [
        and_(Verification.user_id == photo.owner_id, or_(*_same_image_as(photo)))
        for photo in set(photos)
        if photo.sha256 or photo.phash
    ]
    if not matches:
        return [None for _ in photos]
    rows = await session.scalars(
        select(Verification)
        .where(_proven(), or_(*matches))
        .order_by(Verification.completed_at.desc(), Verification.id.desc())
    )
    candidates = list(rows)
    return [
        next(
            (
                row
                for row in candidates
                if row.user_id == photo.owner_id
                and same_image(photo.sha256, photo.phash, row.image_sha256, row.image_phash)
            ),
            None,
        )
        for photo in photos
    ]


def _same_image_as(photo: PhotoHashes) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if photo.sha256:
        found.append(Verification.image_sha256 == photo.sha256)
    if photo.phash:
        found.append(PhashDistance(Verification.image_phash, literal(photo.phash)) <= DUPLICATE_DISTANCE)
    return found


async def withdraw_listings_of(session: AsyncSession, photo: PhotoHashes, now: datetime) -> int:
    """Takes off sale the owner's listings of verifications showing the photo's image (``same_image``); answers how
    many were on sale."""
    matches = _same_image_as(photo)
    if not matches:
        return 0
    shown = select(Verification.id).where(Verification.user_id == photo.owner_id, or_(*matches))
    result = await session.execute(
        update(Listing)
        .where(Listing.seller_id == photo.owner_id, Listing.active, Listing.verification_id.in_(shown))
        .values(active=False, deactivated_at=now, version=Listing.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))
