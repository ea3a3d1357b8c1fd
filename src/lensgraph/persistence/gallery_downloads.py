"""Queries for clients' gallery downloads: the photos a download holds, and the record of completed ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from lensgraph.domain.photos import PhotoStatus
from lensgraph.persistence.models import GalleryDownload, GalleryPhoto, GallerySet, Photo


class DownloadMember(NamedTuple):
    """What the zip needs of one photo: its files, title, type and the name of its set (if any)."""

    photo_id: UUID
    title: str
    media_type: str
    original_key: str
    original_sha256: str | None
    preview_key: str | None
    watermarked_key: str | None
    set_name: str | None

    @property
    def id(self) -> UUID:
        return self.photo_id


def _members(gallery_id: UUID) -> Select[UUID, str, str, str, str | None, str | None, str | None, str]:
    """The gallery's READY photos with their set's name, in the studio's order."""
    return (
        select(
            Photo.id,
            Photo.title,
            Photo.mime_type,
            Photo.original_key,
            Photo.original_sha256,
            Photo.preview_key,
            Photo.watermarked_key,
            GallerySet.name,
        )
        .join(GalleryPhoto, GalleryPhoto.photo_id == Photo.id)
        .outerjoin(GallerySet, GallerySet.id == GalleryPhoto.set_id)
        .where(GalleryPhoto.gallery_id == gallery_id, Photo.status == PhotoStatus.READY)
        .order_by(GalleryPhoto.position, GalleryPhoto.photo_id)
    )


async def members_of(
    session: AsyncSession, gallery_id: UUID, *, photo_ids: Sequence[UUID] = (), set_id: UUID | None = None
) -> list[DownloadMember]:
    """The gallery's READY photos: those named (in the gallery's order), one set's, or all of them."""
    query = _members(gallery_id)
    if photo_ids:
        query = query.where(Photo.id.in_(set(photo_ids)))
    if set_id is not None:
        query = query.where(GalleryPhoto.set_id == set_id)
    return [DownloadMember._make(row) for row in (await session.execute(query)).all()]


async def members_still_in(session: AsyncSession, gallery_id: UUID, photo_ids: Sequence[UUID]) -> list[DownloadMember]:
    """The recorded photos that are still READY in the gallery, in the recorded order (others left out)."""
    found = {member.photo_id: member for member in await members_of(session, gallery_id, photo_ids=photo_ids)}
    return [found[photo_id] for photo_id in photo_ids if photo_id in found]


async def complete(session: AsyncSession, download_id: UUID, photo_count: int, size_bytes: int, now: datetime) -> bool:
    """Marks the download completed once, with what the zip held: True for exactly the stream whose UPDATE changed
    the row."""
    result = await session.execute(
        update(GalleryDownload)
        .where(GalleryDownload.id == download_id, GalleryDownload.completed_at.is_(None))
        .values(completed_at=now, photo_count=photo_count, size_bytes=size_bytes)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def completed_of(gallery_id: UUID) -> Select[GalleryDownload]:
    """A gallery's completed downloads, for keyset pages on (completed_at, id)."""
    return select(GalleryDownload).where(
        GalleryDownload.gallery_id == gallery_id, GalleryDownload.completed_at.is_not(None)
    )


# Batch functions for persistence/loaders.py: one statement per batch, answers in the order of the keys.


class DownloadsKey(NamedTuple):
    gallery_id: UUID
    limit: int


async def first_downloads_of_galleries(
    session: AsyncSession, keys: Sequence[DownloadsKey]
) -> list[list[GalleryDownload]]:
    """The newest ``limit + 1`` completed downloads of each gallery (the extra one tells whether more follow)."""
    rank = (
        func.row_number()
        .over(
            partition_by=GalleryDownload.gallery_id,
            order_by=(GalleryDownload.completed_at.desc(), GalleryDownload.id.desc()),
        )
        .label("rank_in_gallery")
    )
    window = (
        select(GalleryDownload, rank)
        .where(
            GalleryDownload.gallery_id.in_({key.gallery_id for key in keys}),
            GalleryDownload.completed_at.is_not(None),
        )
        .subquery()
    )
    download = aliased(GalleryDownload, window)
    rows = await session.scalars(
        select(download)
        .where(window.c.rank_in_gallery <= max(key.limit for key in keys) + 1)
        .order_by(window.c.gallery_id, window.c.rank_in_gallery)
    )
    found: dict[UUID, list[GalleryDownload]] = {}
    for row in rows:
        found.setdefault(row.gallery_id, []).append(row)
    return [found.get(key.gallery_id, [])[: key.limit + 1] for key in keys]


async def download_counts(session: AsyncSession, gallery_ids: Sequence[UUID]) -> list[int]:
    rows = await session.execute(
        select(GalleryDownload.gallery_id, func.count())
        .where(GalleryDownload.gallery_id.in_(set(gallery_ids)), GalleryDownload.completed_at.is_not(None))
        .group_by(GalleryDownload.gallery_id)
    )
    counts = {gallery_id: int(total) for gallery_id, total in rows.all()}
    return [counts.get(gallery_id, 0) for gallery_id in gallery_ids]
