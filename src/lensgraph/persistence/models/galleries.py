"""Client galleries: a studio's delivery of photos to one client, their order, and the clients' visits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.galleries import DownloadPolicy, GalleryStatus, WatermarkKind
from lensgraph.domain.gallery_downloads import DownloadKind
from lensgraph.persistence.base import Base, Entity, utcnow


class Gallery(Entity):
    __tablename__ = "galleries"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    cover_photo_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"), index=True)
    event_date: Mapped[date | None]
    # The studio's client the gallery is for; linked, its email and name are copied here and kept in step.
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    client_email: Mapped[str | None] = mapped_column(String(254))
    client_name: Mapped[str] = mapped_column(String(200), default="")
    # argon2id, like account passwords; None: the gallery is open to anyone with its slug.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Goes up with every change of password: access tokens issued before it no longer open the gallery.
    access_version: Mapped[int] = mapped_column(default=1)
    expires_at: Mapped[datetime | None]
    # Set once by the expiry sweep, which emits gallery.expired for exactly the rows it sets.
    expired_at: Mapped[datetime | None]
    download_policy: Mapped[DownloadPolicy] = mapped_column(
        Enum(DownloadPolicy, name="gallery_download_policy", native_enum=False, length=12), default=DownloadPolicy.NONE
    )
    # argon2id like the password; set: clients give it to download (the policy still decides what).
    download_pin_hash: Mapped[str | None] = mapped_column(String(200))
    watermark: Mapped[bool] = mapped_column(default=False)
    watermark_text: Mapped[str] = mapped_column(String(80), default="")
    watermark_kind: Mapped[WatermarkKind] = mapped_column(
        Enum(WatermarkKind, name="gallery_watermark_kind", native_enum=False, length=8),
        default=WatermarkKind.TEXT,
        server_default="TEXT",
    )
    accent_color: Mapped[str | None] = mapped_column(String(7))
    # Its clients may order prints of its photos (the studio's active print products).
    print_store: Mapped[bool] = mapped_column(default=False)
    # The expiry the client was last reminded of: a conditional UPDATE sets it, so each expiry date is
    # reminded once, and a new expiry (which differs from it) is reminded again.
    reminder_sent_for: Mapped[datetime | None]
    status: Mapped[GalleryStatus] = mapped_column(
        Enum(GalleryStatus, name="gallery_status", native_enum=False, length=10), default=GalleryStatus.ACTIVE
    )
    # Proofing: how many photos a client's selection must hold when submitted (None: no limit).
    selection_min: Mapped[int | None]
    selection_max: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_galleries_user_created", "user_id", "created_at", "id"),
        Index("ix_galleries_user_title", "user_id", "title", "id"),
        Index("ix_galleries_expiry", "expires_at", "expired_at"),
    )


class GallerySet(Entity):
    """A named part of a gallery ("Ceremony", "Reception"); ``position`` orders the sets (0 first)."""

    __tablename__ = "gallery_sets"

    gallery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]

    __table_args__ = (
        UniqueConstraint("gallery_id", "name"),
        Index("ix_gallery_sets_order", "gallery_id", "position", "id"),
    )


class GalleryPhoto(Base):
    """A photo's place in a gallery; ``position`` orders it (0 first)."""

    __tablename__ = "gallery_photos"

    gallery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"), primary_key=True)
    photo_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int]
    # The set it belongs to, if any; deleting a set leaves its photos in the gallery.
    set_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("gallery_sets.id", ondelete="SET NULL"), index=True)
    # The preview stamped with this gallery's own watermark (its text or the studio's logo), made by the
    # galleries.watermark job; null until then, or since the watermark changed (clients see the generic one).
    watermarked_key: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_gallery_photos_order", "gallery_id", "position", "photo_id"),)


class GalleryViewDay(Base):
    """One row per gallery, visitor (email, else address) and UTC day: the key makes gallery.viewed once a day."""

    __tablename__ = "gallery_view_days"

    gallery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"), primary_key=True)
    visitor: Mapped[str] = mapped_column(String(254), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)


class GalleryCollection(Entity):
    """A studio's folder of galleries ("Weddings 2026"); a gallery may be in several."""

    __tablename__ = "gallery_collections"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("user_id", "name"),
        Index("ix_gallery_collections_user_name", "user_id", "name", "id"),
    )


class GalleryCollectionMember(Base):
    __tablename__ = "gallery_collection_members"

    collection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("gallery_collections.id", ondelete="CASCADE"), primary_key=True
    )
    gallery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("galleries.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GalleryDownload(Entity):
    """A client's download: who (the email of their access token), what (the photos, in the zip's order), the size
    given (WEB_SIZE or FULL_SIZE). Written when it is asked for (its link names it); ``completed_at`` and the bytes
    sent are set once, when a stream of it ends, and only completed downloads are shown and announced."""

    __tablename__ = "gallery_downloads"

    gallery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"))
    client_email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[DownloadKind] = mapped_column(
        Enum(DownloadKind, name="gallery_download_kind", native_enum=False, length=10)
    )
    # The set asked for (SET downloads); the photos stay listed if the set is deleted later.
    set_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("gallery_sets.id", ondelete="SET NULL"))
    size: Mapped[DownloadPolicy] = mapped_column(
        Enum(DownloadPolicy, name="gallery_download_size", native_enum=False, length=12)
    )
    # The photos' ids as strings, in the zip's order: the link serves exactly what was asked for.
    photo_ids: Mapped[list[Any]] = mapped_column(JSON)
    # Photos asked for; once completed, the ones the zip held (a photo whose file failed its check is left out).
    photo_count: Mapped[int]
    # The bytes of the files the zip held (its own headers aside), set with ``completed_at``.
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    completed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_gallery_downloads_gallery_completed", "gallery_id", "completed_at", "id"),)
