"""Brand profiles (what a brand looks for) and the photos matched to them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.matching import MatchStatus
from lensgraph.domain.money import Currency
from lensgraph.persistence.base import Entity


class BrandProfile(Entity):
    """One per brand: what it looks for, and the embedding of that text (with the model that made it)."""

    __tablename__ = "brand_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    company_name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    styles: Mapped[list[str]] = mapped_column(JSON, default=list)
    colors: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget_currency: Mapped[Currency | None] = mapped_column(
        Enum(Currency, name="currency", native_enum=False, length=3)
    )
    budget_min: Mapped[int | None] = mapped_column(BigInteger)
    budget_max: Mapped[int | None] = mapped_column(BigInteger)
    # The profile text's embedding, made by the matching job when the text (its SHA-256 here) or the model changed.
    embedding: Mapped[list[float] | None] = mapped_column(JSON)
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    embedding_version: Mapped[str | None] = mapped_column(String(100))
    embedded_text_sha256: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class BrandMatch(Entity):
    """A photo matched to a brand: its score and reasons, and what the brand made of it.

    The matching job writes score and reasons (never over a DISMISSED row) and ``announced_at`` once; the brand
    writes ``status``."""

    __tablename__ = "brand_matches"

    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    photo_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[MatchStatus] = mapped_column(
        Enum(MatchStatus, name="match_status", native_enum=False, length=12), default=MatchStatus.NEW
    )
    # When match.new went out for it: set once, by a conditional UPDATE, so the event is emitted once.
    announced_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("brand_id", "photo_id", name="uq_brand_matches_brand_photo"),
        # viewer.brandMatches, by score (keyset on (score, id)), with and without a status.
        Index("ix_brand_matches_brand_score", "brand_id", "score", "id"),
        Index("ix_brand_matches_brand_status_score", "brand_id", "status", "score", "id"),
        # Photo.matchCount.
        Index("ix_brand_matches_photo", "photo_id"),
    )

    def __repr__(self) -> str:
        return f"BrandMatch({self.brand_id}, {self.photo_id}, {self.score}, {self.status})"
