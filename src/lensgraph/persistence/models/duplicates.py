"""Duplicate claims: an original's owner claiming another account's photo is a copy, and each change of state."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.duplicates import ClaimStatus
from lensgraph.persistence.base import Entity


def _status() -> Enum:
    return Enum(ClaimStatus, name="duplicate_claim_status", native_enum=False, length=12)


class DuplicateClaim(Entity):
    """A claim that ``photo_id`` (uploaded by ``uploader_id``) copies ``original_photo_id`` (``claimant_id``'s)."""

    __tablename__ = "duplicate_claims"

    # The suspected copy; None once its uploader deleted it (the claim and its history stay).
    photo_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    original_photo_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    claimant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    uploader_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[ClaimStatus] = mapped_column(_status(), default=ClaimStatus.OPEN)
    note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        # One open claim per photo: two claims at once cannot both be filed.
        Index(
            "uq_duplicate_claims_photo_open",
            "photo_id",
            unique=True,
            sqlite_where=text("status = 'OPEN'"),
            postgresql_where=text("status = 'OPEN'"),
        ),
        # viewer.duplicateClaims (as claimant, as uploader) and the admins' list by status, newest first.
        Index("ix_duplicate_claims_claimant_created", "claimant_id", "created_at", "id"),
        Index("ix_duplicate_claims_uploader_created", "uploader_id", "created_at", "id"),
        Index("ix_duplicate_claims_status_created", "status", "created_at", "id"),
    )


class DuplicateClaimChange(Entity):
    """One change of a claim's state, appended, never rewritten: to what, by whom, when (``created_at``), why."""

    __tablename__ = "duplicate_claim_changes"

    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("duplicate_claims.id", ondelete="CASCADE"))
    status: Mapped[ClaimStatus] = mapped_column(_status())
    # Who made it; None once their account is deleted (the change itself stays with the claim).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_duplicate_claim_changes_claim", "claim_id", "created_at", "id"),)
