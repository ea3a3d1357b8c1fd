"""Queries of duplicate claims, and what taking a photo down writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.duplicates import ClaimStatus
from lensgraph.domain.photos import PhotoStatus
from lensgraph.persistence.base import grouped
from lensgraph.persistence.licensing import AGREED
from lensgraph.persistence.models import DuplicateClaim, DuplicateClaimChange, License, Photo


def claims_of(user_id: UUID) -> Select[DuplicateClaim]:
    """Claims the user filed, and claims on the user's photos."""
    return select(DuplicateClaim).where(
        or_(DuplicateClaim.claimant_id == user_id, DuplicateClaim.uploader_id == user_id)
    )


def claims_with(status: ClaimStatus | None) -> Select[DuplicateClaim]:
    query = select(DuplicateClaim)
    return query.where(DuplicateClaim.status == status) if status is not None else query


async def settle(session: AsyncSession, claim_id: UUID, status: ClaimStatus, admin_id: UUID, now: datetime) -> bool:
    """Resolves the claim if it is still OPEN: one UPDATE checked by its row count, so of two resolutions at once
    one wins and the other finds it resolved."""
    result = await session.execute(
        update(DuplicateClaim)
        .where(DuplicateClaim.id == claim_id, DuplicateClaim.status == ClaimStatus.OPEN)
        .values(status=status, resolved_at=now, resolved_by_id=admin_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def changes_of_claims(session: AsyncSession, claim_ids: Sequence[UUID]) -> list[list[DuplicateClaimChange]]:
    """Each claim's changes of state, oldest first, in one statement."""
    rows = await session.scalars(
        select(DuplicateClaimChange)
        .where(DuplicateClaimChange.claim_id.in_(claim_ids))
        .order_by(DuplicateClaimChange.created_at, DuplicateClaimChange.id)
    )
    return grouped(((row.claim_id, row) for row in rows), claim_ids)


async def take_down(session: AsyncSession, photo_id: UUID, now: datetime) -> None:
    """The photo leaves the catalogue: TAKEN_DOWN is no status public reads select (``shown_to_everyone``)."""
    await session.execute(
        update(Photo)
        .where(Photo.id == photo_id)
        .values(status=PhotoStatus.TAKEN_DOWN, updated_at=now)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class FlaggedLicense:
    id: UUID
    brand_id: UUID
    photographer_id: UUID


async def flag_running_licenses(session: AsyncSession, photo_id: UUID, now: datetime) -> list[FlaggedLicense]:
    """Marks the photo's agreed licenses that have not ended (``photo_taken_down_at``); answers them."""
    running = (
        License.photo_id == photo_id,
        License.status.in_(AGREED),
        or_(License.ends_at.is_(None), License.ends_at > now),
        License.photo_taken_down_at.is_(None),
    )
    rows = (await session.execute(select(License.id, License.brand_id, License.photographer_id).where(*running))).all()
    if rows:
        await session.execute(
            update(License)
            .where(License.id.in_([row.id for row in rows]))
            .values(photo_taken_down_at=now, version=License.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return [FlaggedLicense(row.id, row.brand_id, row.photographer_id) for row in rows]
