"""Queries for gallery collections, the studio's logo on its galleries, and expiry reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.galleries import GalleryStatus, WatermarkKind
from lensgraph.domain.photos import PhotoStatus
from lensgraph.persistence.base import dialect_insert, grouped, take_write_lock
from lensgraph.persistence.models import (
    Gallery,
    GalleryCollection,
    GalleryCollectionMember,
    GalleryPhoto,
    Photo,
    StudioProfile,
)

# The reminder sweep reads this many due galleries per pass (each is then claimed and mailed on its own).
REMINDER_BATCH = 200


def collections_of(user_id: UUID) -> Select[GalleryCollection]:
    return select(GalleryCollection).where(GalleryCollection.user_id == user_id)


async def collection_for_update(session: AsyncSession, collection_id: UUID) -> GalleryCollection | None:
    await take_write_lock(session, GalleryCollection, GalleryCollection.id == collection_id)
    return await session.scalar(select(GalleryCollection).where(GalleryCollection.id == collection_id))


async def own_gallery_ids(session: AsyncSession, user_id: UUID, gallery_ids: Sequence[UUID]) -> set[UUID]:
    if not gallery_ids:
        return set()
    query = select(Gallery.id).where(Gallery.user_id == user_id, Gallery.id.in_(set(gallery_ids)))
    return set((await session.scalars(query)).all())


async def add_members(session: AsyncSession, collection_id: UUID, gallery_ids: Sequence[UUID]) -> None:
    """Galleries already in the collection stay as they are (ON CONFLICT DO NOTHING: concurrent adds agree)."""
    for gallery_id in gallery_ids:
        await session.execute(
            dialect_insert(session, GalleryCollectionMember)
            .values(collection_id=collection_id, gallery_id=gallery_id)
            .on_conflict_do_nothing(index_elements=["collection_id", "gallery_id"])
        )


async def remove_members(session: AsyncSession, collection_id: UUID, gallery_ids: Sequence[UUID]) -> int:
    result = await session.execute(
        delete(GalleryCollectionMember)
        .where(
            GalleryCollectionMember.collection_id == collection_id,
            GalleryCollectionMember.gallery_id.in_(set(gallery_ids)),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


def in_collection(query: Select[Gallery], collection_id: UUID) -> Select[Gallery]:
    """Narrows a query of galleries to one collection's (through the members' primary key)."""
    member = select(GalleryCollectionMember.gallery_id).where(GalleryCollectionMember.collection_id == collection_id)
    return query.where(Gallery.id.in_(member))


async def logo_photo(session: AsyncSession, user_id: UUID) -> Photo | None:
    """The studio's logo photo, when it has one that is READY."""
    query = (
        select(Photo)
        .join(StudioProfile, StudioProfile.logo_photo_id == Photo.id)
        .where(StudioProfile.user_id == user_id, Photo.status == PhotoStatus.READY)
    )
    return await session.scalar(query)


# Expiry reminders ----------------------------------------------------------------------------------


async def due_reminders(session: AsyncSession, now: datetime, before: datetime) -> list[UUID]:
    """Open galleries with a client address, expiring between now and ``before``, not yet reminded of this expiry."""
    query = select(Gallery.id).where(*_due(now, before)).order_by(Gallery.expires_at, Gallery.id).limit(REMINDER_BATCH)
    return list((await session.scalars(query)).all())


async def claim_reminder(session: AsyncSession, gallery_id: UUID, now: datetime, before: datetime) -> Gallery | None:
    """Marks the gallery reminded of its current expiry: only the one UPDATE that changes the row may send the
    mail (concurrent sweeps, retries). A later change of expiry makes the row due again."""
    result = await session.execute(
        update(Gallery)
        .where(Gallery.id == gallery_id, *_due(now, before))
        .values(reminder_sent_for=Gallery.expires_at, updated_at=Gallery.updated_at)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None
    return await session.scalar(
        select(Gallery).where(Gallery.id == gallery_id).execution_options(populate_existing=True)
    )


def _due(now: datetime, before: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Gallery.status == GalleryStatus.ACTIVE,
        Gallery.client_email.is_not(None),
        Gallery.expired_at.is_(None),
        Gallery.expires_at > now,
        Gallery.expires_at <= before,
        or_(Gallery.reminder_sent_for.is_(None), Gallery.reminder_sent_for != Gallery.expires_at),
    )


# Batch functions for persistence/loaders.py ----------------------------------------------------------


async def collections_of_galleries(session: AsyncSession, gallery_ids: Sequence[UUID]) -> list[list[GalleryCollection]]:
    rows = await session.execute(
        select(GalleryCollectionMember.gallery_id, GalleryCollection)
        .join(GalleryCollection, GalleryCollection.id == GalleryCollectionMember.collection_id)
        .where(GalleryCollectionMember.gallery_id.in_(set(gallery_ids)))
        .order_by(GalleryCollection.name, GalleryCollection.id)
    )
    return grouped(((gallery_id, collection) for gallery_id, collection in rows.all()), gallery_ids)


async def gallery_counts_of_collections(session: AsyncSession, collection_ids: Sequence[UUID]) -> list[int]:

    rows = await session.execute(
        select(GalleryCollectionMember.collection_id, func.count())
        .where(GalleryCollectionMember.collection_id.in_(set(collection_ids)))
        .group_by(GalleryCollectionMember.collection_id)
    )
    counts = {collection_id: int(total) for collection_id, total in rows.all()}
    return [counts.get(collection_id, 0) for collection_id in collection_ids]


async def logos_of_studios(session: AsyncSession, user_ids: Sequence[UUID]) -> list[Photo | None]:
    """Each studio's READY logo photo, or None."""
    rows = await session.execute(
        select(StudioProfile.user_id, Photo)
        .join(Photo, Photo.id == StudioProfile.logo_photo_id)
        .where(StudioProfile.user_id.in_(set(user_ids)), Photo.status == PhotoStatus.READY)
    )
    found = {user_id: photo for user_id, photo in rows.all()}
    return [found.get(user_id) for user_id in user_ids]


# Gallery watermarks ----------------------------------------------------------------------------------


async def ready_entries(session: AsyncSession, gallery_id: UUID) -> list[tuple[GalleryPhoto, Photo]]:
    """The gallery's READY items with their place rows, for the watermark job."""
    rows = await session.execute(
        select(GalleryPhoto, Photo)
        .join(Photo, Photo.id == GalleryPhoto.photo_id)
        .where(GalleryPhoto.gallery_id == gallery_id, Photo.status == PhotoStatus.READY)
    )
    return [(entry, photo) for entry, photo in rows.all()]


async def record_watermark(session: AsyncSession, gallery_id: UUID, photo_id: UUID, key: str, version: int) -> bool:
    """Points the place at its new rendition, unless the gallery changed since the job read it (its version
    went up): a rendition of settings no longer in force is never recorded; the change sent a job of its own."""
    unchanged = select(Gallery.id).where(Gallery.id == gallery_id, Gallery.version == version)
    result = await session.execute(
        update(GalleryPhoto)
        .where(GalleryPhoto.gallery_id.in_(unchanged), GalleryPhoto.photo_id == photo_id)
        .values(watermarked_key=key)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def stamped_keys(session: AsyncSession, gallery_id: UUID, photo_id: UUID | None = None) -> list[str]:
    """The gallery's own stamped previews (or one item's), to delete with it."""
    query = select(GalleryPhoto.watermarked_key).where(
        GalleryPhoto.gallery_id == gallery_id, GalleryPhoto.watermarked_key.is_not(None)
    )
    if photo_id is not None:
        query = query.where(GalleryPhoto.photo_id == photo_id)
    return [key for key in (await session.scalars(query)).all() if key is not None]


async def galleries_holding(session: AsyncSession, photo_id: UUID) -> list[UUID]:
    return list((await session.scalars(select(GalleryPhoto.gallery_id).where(GalleryPhoto.photo_id == photo_id))).all())


async def logo_galleries_of(session: AsyncSession, user_id: UUID) -> list[UUID]:
    """The studio's watermarked galleries that stamp its logo."""
    query = select(Gallery.id).where(
        Gallery.user_id == user_id, Gallery.watermark.is_(True), Gallery.watermark_kind == WatermarkKind.LOGO
    )
    return list((await session.scalars(query)).all())


async def gallery_watermark_keys(session: AsyncSession, keys: Sequence[tuple[UUID, UUID]]) -> list[str | None]:
    """Batch: each (gallery, photo) place's own watermarked rendition, or None."""
    rows = await session.execute(
        select(GalleryPhoto.gallery_id, GalleryPhoto.photo_id, GalleryPhoto.watermarked_key).where(
            GalleryPhoto.gallery_id.in_({gallery_id for gallery_id, _ in keys}),
            GalleryPhoto.photo_id.in_({photo_id for _, photo_id in keys}),
        )
    )
    found = {(gallery_id, photo_id): key for gallery_id, photo_id, key in rows.all()}
    return [found.get((gallery_id, photo_id)) for gallery_id, photo_id in keys]
