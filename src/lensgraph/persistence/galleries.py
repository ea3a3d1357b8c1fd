"""Queries for client galleries, the expiry sweep and visit days, and the batch functions their loaders run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import Select, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from lensgraph.domain.galleries import GalleryStatus
from lensgraph.domain.photos import PhotoStatus
from lensgraph.persistence.base import dialect_insert, grouped, take_write_lock
from lensgraph.persistence.models import Gallery, GalleryPhoto, GallerySet, GalleryViewDay, Photo

# Sweeps handle this many galleries per transaction.
SWEEP_BATCH = 200


def galleries_of(user_id: UUID, status: GalleryStatus | None, search: str | None) -> Select[Gallery]:
    query = select(Gallery).where(Gallery.user_id == user_id)
    if status is not None:
        query = query.where(Gallery.status == status)
    if search:
        pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(func.lower(Gallery.title).like(pattern, escape="\\"))
    return query


async def gallery_for_update(session: AsyncSession, gallery_id: UUID) -> Gallery | None:
    """Locks the gallery: changes to its photos and their order happen one at a time (on SQLite too)."""
    await take_write_lock(session, Gallery, Gallery.id == gallery_id)
    return await session.scalar(select(Gallery).where(Gallery.id == gallery_id))


async def gallery_by_slug(session: AsyncSession, slug: str) -> Gallery | None:
    return await session.scalar(select(Gallery).where(Gallery.slug == slug))


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return await session.scalar(select(Gallery.id).where(Gallery.slug == slug).limit(1)) is not None


async def slugs_numbered_from(session: AsyncSession, base: str) -> set[str]:
    """``base`` and the ``base-...`` slugs taken, to pick the next free number (slugs hold no LIKE wildcards)."""
    query = select(Gallery.slug).where(or_(Gallery.slug == base, Gallery.slug.like(f"{base}-%")))
    return set((await session.scalars(query)).all())


async def own_photo_ids(session: AsyncSession, user_id: UUID, photo_ids: Sequence[UUID]) -> set[UUID]:
    if not photo_ids:
        return set()
    rows = await session.scalars(select(Photo.id).where(Photo.user_id == user_id, Photo.id.in_(set(photo_ids))))
    return set(rows.all())


async def photo_ids_in(session: AsyncSession, gallery_id: UUID) -> list[UUID]:
    query = (
        select(GalleryPhoto.photo_id)
        .where(GalleryPhoto.gallery_id == gallery_id)
        .order_by(GalleryPhoto.position, GalleryPhoto.photo_id)
    )
    return list((await session.scalars(query)).all())


async def next_position(session: AsyncSession, gallery_id: UUID) -> int:
    last = await session.scalar(select(func.max(GalleryPhoto.position)).where(GalleryPhoto.gallery_id == gallery_id))
    return 0 if last is None else int(last) + 1


async def append_photos(
    session: AsyncSession, gallery_id: UUID, photo_ids: Sequence[UUID], start: int, set_id: UUID | None
) -> None:
    """Photos already in the gallery keep their place (ON CONFLICT DO NOTHING, so a concurrent add is no error)."""
    for offset, photo_id in enumerate(photo_ids):
        await session.execute(
            dialect_insert(session, GalleryPhoto)
            .values(gallery_id=gallery_id, photo_id=photo_id, position=start + offset, set_id=set_id)
            .on_conflict_do_nothing(index_elements=["gallery_id", "photo_id"])
        )


async def move_into_set(session: AsyncSession, gallery_id: UUID, photo_ids: Sequence[UUID], set_id: UUID) -> None:
    await session.execute(
        update(GalleryPhoto)
        .where(GalleryPhoto.gallery_id == gallery_id, GalleryPhoto.photo_id.in_(set(photo_ids)))
        .values(set_id=set_id)
        .execution_options(synchronize_session=False)
    )


async def set_in_gallery(session: AsyncSession, gallery_id: UUID, set_id: UUID) -> bool:
    query = select(GallerySet.id).where(GallerySet.id == set_id, GallerySet.gallery_id == gallery_id)
    return await session.scalar(query) is not None


async def set_ids_in(session: AsyncSession, gallery_id: UUID) -> list[UUID]:
    query = (
        select(GallerySet.id).where(GallerySet.gallery_id == gallery_id).order_by(GallerySet.position, GallerySet.id)
    )
    return list((await session.scalars(query)).all())


async def next_set_position(session: AsyncSession, gallery_id: UUID) -> int:
    last = await session.scalar(select(func.max(GallerySet.position)).where(GallerySet.gallery_id == gallery_id))
    return 0 if last is None else int(last) + 1


async def set_set_positions(session: AsyncSession, ordered_set_ids: Sequence[UUID]) -> None:
    for position, set_id in enumerate(ordered_set_ids):
        await session.execute(
            update(GallerySet)
            .where(GallerySet.id == set_id)
            .values(position=position)
            .execution_options(synchronize_session=False)
        )


async def remove_photo(session: AsyncSession, gallery_id: UUID, photo_id: UUID) -> bool:
    result = await session.execute(
        delete(GalleryPhoto)
        .where(GalleryPhoto.gallery_id == gallery_id, GalleryPhoto.photo_id == photo_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def set_positions(session: AsyncSession, gallery_id: UUID, ordered_photo_ids: Sequence[UUID]) -> None:
    if ordered_photo_ids:
        await session.execute(
            update(GalleryPhoto),
            [
                {"gallery_id": gallery_id, "photo_id": photo_id, "position": position}
                for position, photo_id in enumerate(ordered_photo_ids)
            ],
        )


def entries_of(gallery_id: UUID, *, ready_only: bool, set_id: UUID | None = None) -> Select[GalleryPhoto]:
    """A gallery's places (or one set's), for keyset pages on (position, photo_id)."""
    query = select(GalleryPhoto).where(GalleryPhoto.gallery_id == gallery_id)
    if set_id is not None:
        query = query.where(GalleryPhoto.set_id == set_id)
    if ready_only:
        query = query.join(Photo, Photo.id == GalleryPhoto.photo_id).where(Photo.status == PhotoStatus.READY)
    return query


async def mark_expired(session: AsyncSession, now: datetime) -> list[tuple[UUID, UUID]]:
    """Marks galleries past their expiry, once each: (gallery, owner) of exactly the rows this UPDATE changed."""
    due = (
        select(Gallery.id)
        .where(Gallery.expires_at <= now, Gallery.expired_at.is_(None))
        .order_by(Gallery.expires_at)
        .limit(SWEEP_BATCH)
        .scalar_subquery()
    )
    result = await session.execute(
        update(Gallery)
        .where(Gallery.id.in_(due), Gallery.expired_at.is_(None))
        .values(expired_at=now, updated_at=Gallery.updated_at)
        .returning(Gallery.id, Gallery.user_id)
        .execution_options(synchronize_session=False)
    )
    return [(gallery_id, user_id) for gallery_id, user_id in result.all()]


async def record_view_day(session: AsyncSession, gallery_id: UUID, visitor: str, day: date) -> bool:
    """True for the visitor's first view of the gallery that day; the primary key settles concurrent views."""
    statement = (
        dialect_insert(session, GalleryViewDay)
        .values(gallery_id=gallery_id, visitor=visitor, day=day)
        .on_conflict_do_nothing(index_elements=["gallery_id", "visitor", "day"])
        .returning(GalleryViewDay.gallery_id)
    )
    return (await session.execute(statement)).first() is not None


# Batch functions for persistence/loaders.py: one statement per batch, answers in the order of the keys.


class GalleryPhotosKey(NamedTuple):
    gallery_id: UUID
    ready_only: bool
    limit: int


class GalleryCountKey(NamedTuple):
    gallery_id: UUID
    ready_only: bool


@dataclass(frozen=True)
class GalleryEntry:
    """A photo at its place in a gallery."""

    position: int
    photo: Photo


async def first_photos_of_galleries(
    session: AsyncSession, keys: Sequence[GalleryPhotosKey]
) -> list[list[GalleryEntry]]:
    """The first ``limit + 1`` photos of each gallery (the extra one tells whether another page follows)."""
    found: dict[tuple[UUID, bool], list[GalleryEntry]] = {}
    for ready_only in {key.ready_only for key in keys}:
        group = [key for key in keys if key.ready_only == ready_only]
        rank = (
            func.row_number()
            .over(partition_by=GalleryPhoto.gallery_id, order_by=(GalleryPhoto.position, GalleryPhoto.photo_id))
            .label("rank_in_gallery")
        )
        ranked = (
            select(Photo, GalleryPhoto.gallery_id, GalleryPhoto.position, rank)
            .join(GalleryPhoto, GalleryPhoto.photo_id == Photo.id)
            .where(GalleryPhoto.gallery_id.in_({key.gallery_id for key in group}))
        )
        if ready_only:
            ranked = ranked.where(Photo.status == PhotoStatus.READY)
        window = ranked.subquery()
        photo = aliased(Photo, window)
        rows = await session.execute(
            select(photo, window.c.gallery_id, window.c.position)
            .where(window.c.rank_in_gallery <= max(key.limit for key in group) + 1)
            .order_by(window.c.gallery_id, window.c.rank_in_gallery)
        )
        for row_photo, gallery_id, position in rows:
            found.setdefault((gallery_id, ready_only), []).append(GalleryEntry(position, row_photo))
    return [found.get((key.gallery_id, key.ready_only), [])[: key.limit + 1] for key in keys]


async def gallery_photo_counts(session: AsyncSession, keys: Sequence[GalleryCountKey]) -> list[int]:
    ready = func.sum(case((Photo.status == PhotoStatus.READY, 1), else_=0))
    rows = await session.execute(
        select(GalleryPhoto.gallery_id, func.count(), ready)
        .join(Photo, Photo.id == GalleryPhoto.photo_id)
        .where(GalleryPhoto.gallery_id.in_({key.gallery_id for key in keys}))
        .group_by(GalleryPhoto.gallery_id)
    )
    counts = {gallery_id: (int(total), int(ready_count or 0)) for gallery_id, total, ready_count in rows.all()}
    return [counts.get(key.gallery_id, (0, 0))[1 if key.ready_only else 0] for key in keys]


async def sets_of_galleries(session: AsyncSession, gallery_ids: Sequence[UUID]) -> list[list[GallerySet]]:
    rows = await session.scalars(
        select(GallerySet)
        .where(GallerySet.gallery_id.in_(set(gallery_ids)))
        .order_by(GallerySet.gallery_id, GallerySet.position, GallerySet.id)
    )
    found: dict[UUID, list[GallerySet]] = {}
    for row in rows:
        found.setdefault(row.gallery_id, []).append(row)
    return [found.get(gallery_id, []) for gallery_id in gallery_ids]


async def set_photo_counts(session: AsyncSession, set_ids: Sequence[UUID]) -> list[int]:
    rows = await session.execute(
        select(GalleryPhoto.set_id, func.count())
        .where(GalleryPhoto.set_id.in_(set(set_ids)))
        .group_by(GalleryPhoto.set_id)
    )
    counts = {set_id: int(total) for set_id, total in rows.all()}
    return [counts.get(set_id, 0) for set_id in set_ids]


async def galleries_of_clients(session: AsyncSession, client_ids: Sequence[UUID]) -> list[list[Gallery]]:
    """The galleries linked to each studio client, newest first, in one statement."""
    rows = await session.scalars(
        select(Gallery).where(Gallery.client_id.in_(client_ids)).order_by(Gallery.created_at.desc(), Gallery.id)
    )
    return grouped(((row.client_id, row) for row in rows), client_ids)
