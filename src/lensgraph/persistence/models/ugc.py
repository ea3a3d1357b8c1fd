"""User-generated content: albums, products, submitted content, rights requests, the brand's content secret."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.ugc import (
    AlbumKind,
    ContentSource,
    ContentStatus,
    MediaStatus,
    RightsRequestStatus,
    RightsStatus,
)
from lensgraph.persistence.base import Base, Entity, utcnow


class ContentSecret(Base):
    """The key a brand's servers sign content submissions with (HMAC needs it in the clear, like webhook secrets)."""

    __tablename__ = "ugc_content_secrets"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(100))
    rotated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Album(Entity):
    __tablename__ = "ugc_albums"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AlbumKind] = mapped_column(Enum(AlbumKind, name="ugc_album_kind", native_enum=False, length=10))
    hashtag: Mapped[str | None] = mapped_column(String(100))
    product_sku: Mapped[str | None] = mapped_column(String(64))
    # The public upload link's part: whoever holds the link may send the album a photo (moderated like any).
    upload_slug: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_ugc_albums_user_created", "user_id", "created_at", "id"),)


class Product(Entity):
    __tablename__ = "ugc_products"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2048))
    image_url: Mapped[str | None] = mapped_column(String(2048))
    price_amount: Mapped[int | None] = mapped_column(BigInteger)
    price_currency: Mapped[str | None] = mapped_column(String(3))

    __table_args__ = (
        # One product per SKU and brand: concurrent upserts of a SKU meet here (ON CONFLICT).
        UniqueConstraint("user_id", "sku", name="uq_ugc_products_user_sku"),
        Index("ix_ugc_products_user_created", "user_id", "created_at", "id"),
    )


class Content(Entity):
    """One submitted photo in a brand's album: its author, moderation, auto-flags (from its photo) and rights."""

    __tablename__ = "ugc_content"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    album_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ugc_albums.id", ondelete="CASCADE"))
    # The file, once fetched or confirmed: a private photo of the brand, analysed by the photo pipeline.
    photo_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    source: Mapped[ContentSource] = mapped_column(
        Enum(ContentSource, name="ugc_content_source", native_enum=False, length=12)
    )
    source_url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(300))
    author_email: Mapped[str | None] = mapped_column(String(254))
    author_username: Mapped[str] = mapped_column(String(100))
    status: Mapped[ContentStatus] = mapped_column(
        Enum(ContentStatus, name="ugc_content_status", native_enum=False, length=10)
    )
    media_status: Mapped[MediaStatus] = mapped_column(
        Enum(MediaStatus, name="ugc_media_status", native_enum=False, length=10)
    )
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    # Failed attempts at fetching the photoUri (network, 5xx): the last allowed one fails the content.
    fetch_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    moderated_at: Mapped[datetime | None]
    rights_status: Mapped[RightsStatus] = mapped_column(
        Enum(RightsStatus, name="ugc_rights_status", native_enum=False, length=10), default=RightsStatus.NONE
    )
    commercial_use: Mapped[bool] = mapped_column(default=False)
    # Clicks and add-to-carts counted from storefronts, all time (added by each engagement flush): the
    # POPULARITY order of media lists.
    popularity: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    __table_args__ = (
        Index("ix_ugc_content_album_created", "album_id", "created_at", "id"),
        Index("ix_ugc_content_album_popularity", "album_id", "popularity", "created_at", "id"),
        Index("ix_ugc_content_brand_created", "brand_id", "created_at", "id"),
        Index("ix_ugc_content_photo", "photo_id"),
    )


class ContentProduct(Base):
    __tablename__ = "ugc_content_products"

    content_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ugc_content.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ugc_products.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_ugc_content_products_product", "product_id", "content_id"),)


class RightsRequest(Entity):
    """A brand's request for rights to one content, and the author's answer: the evidence of a grant.

    The link's secret is made and mailed by the ``ugc.mail_rights_request`` job (the outbox never holds it); only its
    digest is kept. Answering is one conditional UPDATE on a PENDING, unexpired request: single use.
    """

    __tablename__ = "ugc_rights_requests"

    content_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ugc_content.id", ondelete="CASCADE"))
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_email: Mapped[str] = mapped_column(String(254))
    author_username: Mapped[str] = mapped_column(String(100))
    # Exactly as shown to the author (in the mail and by ``contentRightsRequest``), and its SHA-256.
    terms: Mapped[str] = mapped_column(Text)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    mailed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    status: Mapped[RightsRequestStatus] = mapped_column(
        Enum(RightsRequestStatus, name="ugc_rights_request_status", native_enum=False, length=10),
        default=RightsRequestStatus.PENDING,
    )
    answered_at: Mapped[datetime | None]
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (Index("ix_ugc_rights_requests_content_created", "content_id", "created_at", "id"),)


class ContentEngagementDay(Base):
    """Storefront engagement with one content on one UTC day: one row per content and day, however many hits."""

    __tablename__ = "ugc_content_engagement_days"

    content_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ugc_content.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    add_to_cart: Mapped[int] = mapped_column(BigInteger, default=0)


class ProductEngagementDay(Base):
    """Storefront engagement with one product (shown beside content) on one UTC day."""

    __tablename__ = "ugc_product_engagement_days"

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ugc_products.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    add_to_cart: Mapped[int] = mapped_column(BigInteger, default=0)
