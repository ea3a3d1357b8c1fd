from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.photos import Orientation, PhotoStatus
from lensgraph.persistence.base import Entity


class Upload(Entity):
    """A presigned upload handed to a client; confirming it turns the stored object into a photo."""

    __tablename__ = "uploads"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    mime_type: Mapped[str] = mapped_column(String(40))
    declared_size: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class Photo(Entity):
    __tablename__ = "photos"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    auto_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[PhotoStatus] = mapped_column(
        Enum(PhotoStatus, name="photo_status", native_enum=False, length=12), default=PhotoStatus.PROCESSING
    )
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    original_key: Mapped[str] = mapped_column(String(300))
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
    phash: Mapped[str | None] = mapped_column(String(16), index=True)
    possible_duplicate_of_id: Mapped[uuid.UUID | None]
    thumbnail_key: Mapped[str | None] = mapped_column(String(300))
    preview_key: Mapped[str | None] = mapped_column(String(300))
    watermarked_key: Mapped[str | None] = mapped_column(String(300))
    captured_at: Mapped[datetime | None]
    analyzed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_photos_user_created", "user_id", "created_at", "id"),
        Index("ix_photos_status_created", "status", "created_at", "id"),
    )
