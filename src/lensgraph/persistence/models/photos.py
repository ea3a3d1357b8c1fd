from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.money import Currency
from lensgraph.domain.photos import (
    MediaKind,
    Orientation,
    PhotoCategory,
    PhotoStatus,
    ReleaseKind,
    TagKind,
    UploadPurpose,
    Visibility,
)
from lensgraph.persistence.base import Base, Entity, utcnow


class Upload(Entity):
    """A presigned upload handed to a client; confirming it turns the stored object into a photo or a document."""

    __tablename__ = "uploads"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[UploadPurpose] = mapped_column(
        Enum(UploadPurpose, name="upload_purpose", native_enum=False, length=30), default=UploadPurpose.PHOTO
    )
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    mime_type: Mapped[str] = mapped_column(String(40))
    declared_size: Mapped[int] = mapped_column(BigInteger)
    # The client's SHA-256 of the file, when it gave one: confirmation refuses bytes that do not match it.
    declared_sha256: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class Photo(Entity):
    __tablename__ = "photos"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MediaKind] = mapped_column(
        Enum(MediaKind, name="media_kind", native_enum=False, length=8), default=MediaKind.PHOTO, server_default="PHOTO"
    )
    # A video's running time, read by the analysis job; null for photos.
    duration_ms: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    auto_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[PhotoCategory | None] = mapped_column(
        Enum(PhotoCategory, name="photo_category", native_enum=False, length=20)
    )
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, name="photo_visibility", native_enum=False, length=12), default=Visibility.PUBLIC
    )
    status: Mapped[PhotoStatus] = mapped_column(
        Enum(PhotoStatus, name="photo_status", native_enum=False, length=12), default=PhotoStatus.PROCESSING
    )
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    original_key: Mapped[str] = mapped_column(String(300))
    # Recorded when the upload was confirmed; every delivery of the original checks it.
    original_sha256: Mapped[str | None] = mapped_column(String(64))
    mime_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None]
    height: Mapped[int | None]
    orientation: Mapped[Orientation | None] = mapped_column(
        Enum(Orientation, name="photo_orientation", native_enum=False, length=12)
    )
    exif: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    gps: Mapped[dict[str, float] | None] = mapped_column(JSON)
    show_location: Mapped[bool] = mapped_column(default=False)
    rights: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    colors: Mapped[list[str]] = mapped_column(JSON, default=list)
    face_count: Mapped[int | None] = mapped_column(default=None)
    # Saves by other people (lightboxes, collections); later also views and licenses. Orders "popular".
    popularity: Mapped[int] = mapped_column(default=0)
    phash: Mapped[str | None] = mapped_column(String(16), index=True)
    possible_duplicate_of_id: Mapped[uuid.UUID | None]
    thumbnail_key: Mapped[str | None] = mapped_column(String(300))
    preview_key: Mapped[str | None] = mapped_column(String(300))
    watermarked_key: Mapped[str | None] = mapped_column(String(300))
    # A video's poster frame (a JPEG, full size); its thumbnail and previews are made from it.
    poster_key: Mapped[str | None] = mapped_column(String(300))
    captured_at: Mapped[datetime | None]
    # The owner's licensing offer, what enterprise search filters on: the usages offered (``licensing.Usage``
    # values), the asking price from which (minor units of ``license_currency``; None: on request), and whether an
    # exclusive license may be negotiated.
    license_usages: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    license_price: Mapped[int | None] = mapped_column(BigInteger)
    license_currency: Mapped[Currency | None] = mapped_column(
        Enum(Currency, name="currency", native_enum=False, length=3)
    )
    exclusive_available: Mapped[bool] = mapped_column(default=False, server_default=false())
    analyzed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_photos_user_created", "user_id", "created_at", "id"),
        # viewer.photos(sort: TITLE) (keyset on (title, id)).
        Index("ix_photos_user_title", "user_id", "title", "id"),
        Index("ix_photos_status_created", "status", "created_at", "id"),
        Index("ix_photos_status_popularity", "status", "popularity", "id"),
        # Enterprise search: people present, the date range, the price range within a currency.
        Index("ix_photos_status_face_count", "status", "face_count"),
        Index("ix_photos_status_captured", "status", "captured_at", "id"),
        Index("ix_photos_status_currency_price", "status", "license_currency", "license_price", "id"),
    )


class PhotoTag(Base):
    """A photo's keywords (its own and inferred) and colour names, one row each, for exact filters."""

    __tablename__ = "photo_tags"

    photo_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[TagKind] = mapped_column(
        Enum(TagKind, name="tag_kind", native_enum=False, length=12), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (Index("ix_photo_tags_kind_value", "kind", "value", "photo_id"),)


class Release(Entity):
    """A signed model or property release: the document, who or what it covers, and the photos it covers."""

    __tablename__ = "releases"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[ReleaseKind] = mapped_column(Enum(ReleaseKind, name="release_kind", native_enum=False, length=12))
    # The model's full name, or the property's name.
    subject_name: Mapped[str] = mapped_column(String(200))
    # A property's address, or how to reach the model; optional.
    details: Mapped[str] = mapped_column(Text, default="")
    signed_on: Mapped[date]
    document_key: Mapped[str] = mapped_column(String(300))
    document_mime_type: Mapped[str] = mapped_column(String(40))
    document_sha256: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_releases_user_kind_created", "user_id", "kind", "created_at", "id"),)


class ReleasePhoto(Base):
    __tablename__ = "release_photos"

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True)
    photo_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
