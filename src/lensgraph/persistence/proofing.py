"""Queries for proofing (clients' selections, favourites, comments), gallery analytics, and their loaders' batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.analytics import Window
from lensgraph.domain.photos import PhotoStatus
from lensgraph.domain.proofing import SelectionStatus
from lensgraph.persistence.base import UTCDay, dialect_insert, grouped, take_write_lock
from lensgraph.persistence.models import (
    GalleryComment,
    GalleryDownload,
    GalleryFavorite,
    GalleryPhoto,
    GallerySelection,
    GalleryViewDay,
    Photo,
)


class ClientKey(NamedTuple):
    """One client of one gallery: the email their gallery access token names."""

    gallery_id: UUID
    client_email: str


async def ready_photo_in_gallery(session: AsyncSession, gallery_id: UUID, photo_id: UUID) -> bool:
    """A photo the gallery's clients can see: in the gallery and READY."""
    query = (
        select(GalleryPhoto.photo_id)
        .join(Photo, Photo.id == GalleryPhoto.photo_id)
        .where(GalleryPhoto.gallery_id == gallery_id, GalleryPhoto.photo_id == photo_id)
        .where(Photo.status == PhotoStatus.READY)
    )
    return await session.scalar(query) is not None


async def locked_selection(session: AsyncSession, gallery_id: UUID, email: str, list_name: str) -> GallerySelection:
    """The client's list, made if new (the unique key settles concurrent first favourites), then held for writing:
    changes to one list happen one at a time, so its size and status are read fresh under the lock."""
    await session.execute(
        dialect_insert(session, GallerySelection)
        .values(gallery_id=gallery_id, client_email=email, list_name=list_name)
        .on_conflict_do_nothing(index_elements=["gallery_id", "client_email", "list_name"])
    )
    where = (
        GallerySelection.gallery_id == gallery_id,
        GallerySelection.client_email == email,
        GallerySelection.list_name == list_name,
    )
    await take_write_lock(session, GallerySelection, *where)
    selection = await session.scalar(select(GallerySelection).where(*where).execution_options(populate_existing=True))
    assert selection is not None  # made just above, and only the gallery's deletion removes it
    return selection


async def favorite_count(session: AsyncSession, selection_id: UUID) -> int:
    query = select(func.count()).select_from(GalleryFavorite).where(GalleryFavorite.selection_id == selection_id)
    return int(await session.scalar(query) or 0)


async def add_favorite(session: AsyncSession, selection: GallerySelection, photo_id: UUID, now: datetime) -> bool:
    """True when the photo was not in the list yet."""
    statement = (
        dialect_insert(session, GalleryFavorite)
        .values(selection_id=selection.id, photo_id=photo_id, gallery_id=selection.gallery_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["selection_id", "photo_id"])
        .returning(GalleryFavorite.photo_id)
    )
    return (await session.execute(statement)).first() is not None


async def remove_favorite(session: AsyncSession, selection_id: UUID, photo_id: UUID) -> bool:
    result = await session.execute(
        delete(GalleryFavorite)
        .where(GalleryFavorite.selection_id == selection_id, GalleryFavorite.photo_id == photo_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def submit(session: AsyncSession, selection_id: UUID, note: str, now: datetime) -> bool:
    """Submits an OPEN selection; False when it already was (only the UPDATE that changed it emits the event)."""
    result = await session.execute(
        update(GallerySelection)
        .where(GallerySelection.id == selection_id, GallerySelection.status == SelectionStatus.OPEN)
        .values(status=SelectionStatus.SUBMITTED, note=note, submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def reopen(session: AsyncSession, gallery_id: UUID, email: str) -> int:
    """Opens every submitted list of the client again; answers how many."""
    result = await session.execute(
        update(GallerySelection)
        .where(
            GallerySelection.gallery_id == gallery_id,
            GallerySelection.client_email == email,
            GallerySelection.status == SelectionStatus.SUBMITTED,
        )
        .values(status=SelectionStatus.OPEN, submitted_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


# Analytics ----------------------------------------------------------------------------------------


class GalleryWindowKey(NamedTuple):
    gallery_id: UUID
    window: Window


@dataclass
class GalleryDayCounts:
    views: dict[date, int] = field(default_factory=dict)
    favorites: dict[date, int] = field(default_factory=dict)
    selections: dict[date, int] = field(default_factory=dict)
    downloads: dict[date, int] = field(default_factory=dict)
    unique_visitors: int = 0


async def gallery_day_counts(session: AsyncSession, keys: Sequence[GalleryWindowKey]) -> list[GalleryDayCounts]:
    """Per (gallery, window), aggregates only: five GROUP BY statements per distinct window, whatever the number
    of galleries."""
    found = {key: GalleryDayCounts() for key in keys}
    for chosen in {key.window for key in keys}:
        ids = {key.gallery_id for key in keys if key.window == chosen}
        in_days = (GalleryViewDay.day >= chosen.first, GalleryViewDay.day <= chosen.last)
        views = await session.execute(
            select(GalleryViewDay.gallery_id, GalleryViewDay.day, func.count())
            .where(GalleryViewDay.gallery_id.in_(ids), *in_days)
            .group_by(GalleryViewDay.gallery_id, GalleryViewDay.day)
        )
        for gallery_id, viewed_on, count in views.all():
            found[GalleryWindowKey(gallery_id, chosen)].views[viewed_on] = int(count)
        unique = await session.execute(
            select(GalleryViewDay.gallery_id, func.count(func.distinct(GalleryViewDay.visitor)))
            .where(GalleryViewDay.gallery_id.in_(ids), *in_days)
            .group_by(GalleryViewDay.gallery_id)
        )
        for gallery_id, count in unique.all():
            found[GalleryWindowKey(gallery_id, chosen)].unique_visitors = int(count)
        favorited_on = UTCDay(GalleryFavorite.created_at)
        favorites = await session.execute(
            select(GalleryFavorite.gallery_id, favorited_on, func.count())
            .where(GalleryFavorite.gallery_id.in_(ids))
            .where(GalleryFavorite.created_at >= chosen.starts_at, GalleryFavorite.created_at < chosen.ends_before)
            .group_by(GalleryFavorite.gallery_id, favorited_on)
        )
        for gallery_id, picked_on, count in favorites.all():
            found[GalleryWindowKey(gallery_id, chosen)].favorites[date.fromisoformat(picked_on)] = int(count)
        submitted_on = UTCDay(GallerySelection.submitted_at)
        selections = await session.execute(
            select(GallerySelection.gallery_id, submitted_on, func.count())
            .where(GallerySelection.gallery_id.in_(ids))
            .where(GallerySelection.submitted_at >= chosen.starts_at)
            .where(GallerySelection.submitted_at < chosen.ends_before)
            .group_by(GallerySelection.gallery_id, submitted_on)
        )
        for gallery_id, sent_on, count in selections.all():
            found[GalleryWindowKey(gallery_id, chosen)].selections[date.fromisoformat(sent_on)] = int(count)
        completed_on = UTCDay(GalleryDownload.completed_at)
        downloads = await session.execute(
            select(GalleryDownload.gallery_id, completed_on, func.count())
            .where(GalleryDownload.gallery_id.in_(ids))
            .where(GalleryDownload.completed_at >= chosen.starts_at)
            .where(GalleryDownload.completed_at < chosen.ends_before)
            .group_by(GalleryDownload.gallery_id, completed_on)
        )
        for gallery_id, completed, count in downloads.all():
            found[GalleryWindowKey(gallery_id, chosen)].downloads[date.fromisoformat(completed)] = int(count)
    return [found[key] for key in keys]


# Batch functions for persistence/loaders.py ---------------------------------------------------------


async def selections_of_galleries(session: AsyncSession, gallery_ids: Sequence[UUID]) -> list[list[GallerySelection]]:
    """Every client's lists of each gallery, by client then list name."""
    rows = await session.scalars(
        select(GallerySelection)
        .where(GallerySelection.gallery_id.in_(set(gallery_ids)))
        .order_by(GallerySelection.client_email, GallerySelection.list_name)
    )
    return grouped(((row.gallery_id, row) for row in rows), gallery_ids)


async def selections_of_clients(session: AsyncSession, keys: Sequence[ClientKey]) -> list[list[GallerySelection]]:
    """Each client's own lists of a gallery, by list name."""
    rows = await session.scalars(
        select(GallerySelection)
        .where(GallerySelection.gallery_id.in_({key.gallery_id for key in keys}))
        .where(GallerySelection.client_email.in_({key.client_email for key in keys}))
        .order_by(GallerySelection.list_name)
    )
    return grouped(((ClientKey(row.gallery_id, row.client_email), row) for row in rows), keys)


async def favorites_of_selections(session: AsyncSession, selection_ids: Sequence[UUID]) -> list[list[UUID]]:
    """The photos of each list, in the order they were picked."""
    rows = await session.execute(
        select(GalleryFavorite.selection_id, GalleryFavorite.photo_id)
        .where(GalleryFavorite.selection_id.in_(set(selection_ids)))
        .order_by(GalleryFavorite.created_at, GalleryFavorite.photo_id)
    )
    return grouped(((selection_id, photo_id) for selection_id, photo_id in rows.all()), selection_ids)


async def comments_of_clients(session: AsyncSession, keys: Sequence[ClientKey]) -> list[list[GalleryComment]]:
    """Each client's comments on a gallery's photos, oldest first."""
    rows = await session.scalars(
        select(GalleryComment)
        .where(GalleryComment.gallery_id.in_({key.gallery_id for key in keys}))
        .where(GalleryComment.client_email.in_({key.client_email for key in keys}))
        .order_by(GalleryComment.created_at, GalleryComment.id)
    )
    return grouped(((ClientKey(row.gallery_id, row.client_email), row) for row in rows), keys)
