"""Collections, the brand's lightbox, and the photographer's portfolio: ways of gathering photos."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.photos import Visibility
from lensgraph.persistence.base import Base, Entity, utcnow


class Collection(Entity):
    __tablename__ = "collections"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, name="collection_visibility", native_enum=False, length=12), default=Visibility.PRIVATE
    )

    __table_args__ = (Index("ix_collections_user_created", "user_id", "created_at", "id"),)


class CollectionPhoto(Base):
    """A photo's place in a collection; ``position`` orders it (0 first)."""

    __tablename__ = "collection_photos"

    collection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True)
    photo_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_collection_photos_order", "collection_id", "position", "photo_id"),)


class LightboxItem(Base):
    """A photo a brand set aside while looking."""

    __tablename__ = "lightbox_items"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    photo_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_lightbox_items_user_created", "user_id", "created_at", "photo_id"),)


class Portfolio(Base):
    """A photographer's public page settings; a photographer without a row has the defaults."""

    __tablename__ = "portfolios"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    headline: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(20), default="LIGHT")
    # {"instagram": "https://...", "website": "https://..."}
    social_links: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FeaturedPhoto(Base):
    __tablename__ = "featured_photos"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    photo_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int]
