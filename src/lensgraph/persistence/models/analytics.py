"""What is counted about use of the platform, as daily aggregates rather than one row per event."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.persistence.base import Base


class PhotoViewDay(Base):
    """How often a photo was viewed on one UTC day: one row per photo and day, however many the views."""

    __tablename__ = "photo_view_days"

    photo_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
