"""The marketplace: listings of verified photos, their license tiers, and purchases of them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.marketplace import LicenseTier, PurchaseStatus
from lensgraph.domain.money import Currency
from lensgraph.persistence.base import Base, Entity


def _currency() -> Enum:
    return Enum(Currency, name="currency", native_enum=False, length=3)


def _tier() -> Enum:
    return Enum(LicenseTier, name="license_tier", native_enum=False, length=12)


class Listing(Entity):
    """A verification on sale: its title, currency and tiers (``ListingTier``), and what it sold so far."""

    __tablename__ = "listings"

    # RESTRICT: a sold photo's proof stays as long as its sales (a verification with listings is not deleted).
    verification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("verifications.id", ondelete="RESTRICT"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[Currency] = mapped_column(_currency())
    # The cheapest tier's price: what the price orders and the price filter without a tier compare.
    lowest_price: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None]
    # Raised in the transaction that completes a purchase (an UPDATE adding to the stored value, never a rewrite).
    total_sales: Mapped[int] = mapped_column(default=0)
    total_revenue: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # One listing on sale per verification: two createListing calls at once cannot both succeed.
        Index(
            "uq_listings_verification_active",
            "verification_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        # marketplaceListings' orders (keyset on (key, id)), and the currency filter with the price order.
        Index("ix_listings_active_created", "active", "created_at", "id"),
        Index("ix_listings_active_price", "active", "lowest_price", "id"),
        Index("ix_listings_active_sales", "active", "total_sales", "id"),
        Index("ix_listings_active_currency_price", "active", "currency", "lowest_price", "id"),
        Index("ix_listings_seller_created", "seller_id", "created_at", "id"),
    )


class ListingTier(Base):
    """One license tier a listing offers: its price in the listing's currency and its license terms."""

    __tablename__ = "listing_tiers"

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[LicenseTier] = mapped_column(_tier(), primary_key=True)
    price: Mapped[int] = mapped_column(BigInteger)
    terms: Mapped[str] = mapped_column(Text, default="")

    # The tier and price-range filters: listings offering a tier within a range.
    __table_args__ = (Index("ix_listing_tiers_tier_price", "tier", "price", "listing_id"),)


class Purchase(Entity):
    """A buyer's license of one tier of a listing, at the price and terms of the moment they bought it."""

    __tablename__ = "purchases"

    # RESTRICT: payments and earnings hang off purchases; a listing with sales is deactivated, never deleted.
    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id", ondelete="RESTRICT"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tier: Mapped[LicenseTier] = mapped_column(_tier())
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[Currency] = mapped_column(_currency())
    terms: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PurchaseStatus] = mapped_column(
        Enum(PurchaseStatus, name="purchase_status", native_enum=False, length=12), default=PurchaseStatus.PENDING
    )
    paid_at: Mapped[datetime | None]
    download_expires_at: Mapped[datetime | None]
    # The original with the license written into its metadata, made at the first download, and its SHA-256.
    licensed_key: Mapped[str | None] = mapped_column(String(300))
    licensed_sha256: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_purchases_buyer_created", "buyer_id", "created_at", "id"),
        Index("ix_purchases_seller_created", "seller_id", "created_at", "id"),
        # listing.salesAnalytics: completed sales of a listing by day.
        Index("ix_purchases_listing_status_paid", "listing_id", "status", "paid_at"),
        # One open checkout per buyer and tier of a listing: a second click answers the first one's.
        Index(
            "uq_purchases_open",
            "listing_id",
            "buyer_id",
            "tier",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
    )
