"""Queries for model and property releases and the photos they cover."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.photos import ReleaseKind
from lensgraph.persistence.base import grouped
from lensgraph.persistence.models import Photo, Release, ReleasePhoto


def releases_of(user_id: UUID, kind: ReleaseKind) -> Select[Release]:
    """Served by ix_releases_user_kind_created for the (created_at, id) keyset."""
    return select(Release).where(Release.user_id == user_id, Release.kind == kind)


async def release_for_update(session: AsyncSession, release_id: UUID) -> Release | None:
    """Locks the release, so that concurrent links to it are added one after the other."""
    return await session.scalar(select(Release).where(Release.id == release_id).with_for_update())


async def record_document_sha256(session: AsyncSession, release_id: UUID, sha256: str) -> None:
    """Records the hash of a document submitted before hashes were kept; a hash already recorded stays."""
    await session.execute(
        update(Release)
        .where(Release.id == release_id, Release.document_sha256.is_(None))
        .values(document_sha256=sha256),
        execution_options={"synchronize_session": False},
    )


async def own_photo_ids(session: AsyncSession, user_id: UUID, photo_ids: Sequence[UUID]) -> set[UUID]:
    """Which of ``photo_ids`` exist and are ``user_id``'s."""
    rows = await session.scalars(select(Photo.id).where(Photo.id.in_(photo_ids), Photo.user_id == user_id))
    return set(rows.all())


async def link_photos(session: AsyncSession, release_id: UUID, photo_ids: Iterable[UUID]) -> None:
    """Links the photos not linked yet; linking a photo twice changes nothing."""
    wanted = list(photo_ids)
    linked = await session.scalars(
        select(ReleasePhoto.photo_id).where(ReleasePhoto.release_id == release_id, ReleasePhoto.photo_id.in_(wanted))
    )
    already = set(linked.all())
    session.add_all(
        ReleasePhoto(release_id=release_id, photo_id=photo_id) for photo_id in wanted if photo_id not in already
    )


# Batch functions for persistence/loaders.py: one statement for many keys, results in the keys' order.


async def releases_of_photos(session: AsyncSession, photo_ids: Sequence[UUID]) -> list[list[Release]]:
    """Every release covering each photo, in the order they were signed."""
    rows = await session.execute(
        select(ReleasePhoto.photo_id, Release)
        .join(Release, Release.id == ReleasePhoto.release_id)
        .where(ReleasePhoto.photo_id.in_(set(photo_ids)))
        .order_by(Release.signed_on, Release.id)
    )
    return grouped(rows, photo_ids)


async def photos_of_releases(session: AsyncSession, release_ids: Sequence[UUID]) -> list[list[Photo]]:
    """The photos each release covers, in the order they were linked."""
    rows = await session.execute(
        select(ReleasePhoto.release_id, Photo)
        .join(Photo, Photo.id == ReleasePhoto.photo_id)
        .where(ReleasePhoto.release_id.in_(set(release_ids)))
        .order_by(ReleasePhoto.created_at, Photo.id)
    )
    return grouped(rows, release_ids)


async def model_release_counts(session: AsyncSession, photo_ids: Sequence[UUID]) -> list[int]:
    """How many model releases cover each photo."""
    rows = await session.execute(
        select(ReleasePhoto.photo_id, func.count())
        .join(Release, Release.id == ReleasePhoto.release_id)
        .where(ReleasePhoto.photo_id.in_(set(photo_ids)), Release.kind == ReleaseKind.MODEL)
        .group_by(ReleasePhoto.photo_id)
    )
    counts = dict(rows.all())
    return [counts.get(photo_id, 0) for photo_id in photo_ids]
