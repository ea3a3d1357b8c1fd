"""Proofing: each client's selections (named lists of favourite photos) in a gallery, and their comments."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.proofing import SelectionStatus
from lensgraph.persistence.base import Base, Entity, utcnow


class GallerySelection(Entity):
    """One client's named list in a gallery; the unique key makes concurrent first favourites share one row."""

    __tablename__ = "gallery_selections"

    gallery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"))
    client_email: Mapped[str] = mapped_column(String(254))
    list_name: Mapped[str] = mapped_column(String(50))
    status: Mapped[SelectionStatus] = mapped_column(
        Enum(SelectionStatus, name="gallery_selection_status", native_enum=False, length=10),
        default=SelectionStatus.OPEN,
    )
    note: Mapped[str] = mapped_column(Text, default="")
    # Set by the one conditional UPDATE that submits it (which alone emits gallery.validated).
    submitted_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("gallery_id", "client_email", "list_name"),
        Index("ix_gallery_selections_submitted", "gallery_id", "submitted_at"),
    )


class GalleryFavorite(Base):
    """A photo in a client's selection; ``gallery_id`` is kept for the daily favourite counts."""

    __tablename__ = "gallery_favorites"

    selection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("gallery_selections.id", ondelete="CASCADE"), primary_key=True
    )
    photo_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    gallery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_gallery_favorites_gallery_created", "gallery_id", "created_at"),)


class GalleryComment(Entity):
    """A client's comment on a photo of the gallery, for the studio to read with the client's selection."""

    __tablename__ = "gallery_comments"

    gallery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"))
    photo_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    client_email: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_gallery_comments_client", "gallery_id", "client_email", "created_at"),)
