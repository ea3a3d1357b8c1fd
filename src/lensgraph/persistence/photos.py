"""Queries for uploads and photos."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, cast, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from lensgraph.domain.discovery import PhotoSortField
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.photos import PhotoStatus
from lensgraph.domain.policies import PUBLIC_PHOTO_STATUS, PUBLIC_PHOTO_VISIBILITY
from lensgraph.persistence.base import contains
from lensgraph.persistence.db import SessionSource
from lensgraph.persistence.models import Photo, Upload, User
from lensgraph.persistence.pagination import Page, SortKey, paginate
from lensgraph.persistence.prepared import PreparedStatements


def shown_to_everyone() -> ColumnElement[bool]:
    """The SQL form of what ``policies.can_view_photo`` lets anyone but the owner see."""
    return and_(Photo.status == PUBLIC_PHOTO_STATUS, Photo.visibility == PUBLIC_PHOTO_VISIBILITY)


PHOTOGRAPHER = "photographer."
# A column read as stored: an enum's name as text, not turned into the enum (for a value only written out).
AS_STORED = "#stored"


@dataclass(frozen=True)
class PhotoColumns:
    """The columns a compiled selection reads, by name, in the order its rows hold them: a photo's
    (``title``), or its photographer's (``photographer.username``, joined); ``status#stored`` as stored."""

    names: tuple[str, ...]

    @cached_property
    def selected(self) -> list[ColumnElement[Any]]:
        return [_selected(name) for name in self.names]

    def joined(self, query: Select[Any]) -> Select[Any]:
        """``query`` over photos, joined to the photographers when their columns are read."""
        if any(name.startswith(PHOTOGRAPHER) for name in self.names):
            return query.join(User, User.id == Photo.user_id)
        return query


def _selected(name: str) -> ColumnElement[Any]:
    stored, column_name = name.endswith(AS_STORED), name.removesuffix(AS_STORED)
    joined = column_name.startswith(PHOTOGRAPHER)
    table = User.__table__ if joined else Photo.__table__
    column: ColumnElement[Any] = table.c[column_name.removeprefix(PHOTOGRAPHER)]
    if stored:
        column = type_coerce(column, String)
    return column.label(name.replace(".", "_").replace("#", "_")) if stored or joined else column


async def page_of_photos(
    db: SessionSource,
    query: Select[Photo] | Callable[[], Select[Photo]],
    keys: Sequence[SortKey],
    page: PageRequest,
    columns: PhotoColumns | None,
    *,
    count_inline: bool = False,
    prepared: tuple[PreparedStatements, Hashable] | None = None,
    descending: bool = True,
) -> Page[Any]:
    """A page of ``query``'s photos, greatest key first unless not ``descending``: rows, or the compiled read
    path's ``columns`` of them (and the total beside them with ``count_inline``), from its ``prepared`` statements."""
    if columns is None:
        return await paginate(db, query, keys, page, descending=descending)

    def joined() -> Select[Photo]:
        return columns.joined(query() if callable(query) else query)

    return await paginate(
        db,
        joined,
        keys,
        page,
        descending=descending,
        columns=columns.selected,
        count_inline=count_inline,
        prepared=prepared,
    )


async def photo_row(db: SessionSource, key: UUID, columns: PhotoColumns, prepared: PreparedStatements) -> Any | None:
    """One photo's row of ``columns`` (the caller decides whether its viewer may see it), from the statement
    ``prepared`` keeps for them."""

    def statement() -> Select[Any]:
        by_id = select(Photo).where(Photo.id == bindparam("key", type_=Photo.id.type))
        return columns.joined(by_id).with_only_columns(*columns.selected)

    rows = await prepared.rows(db, columns, statement, {"key": key})
    return rows[0] if rows else None


def photos_of(user_id: UUID, status: PhotoStatus | None = None) -> Select[Photo]:
    query = select(Photo).where(Photo.user_id == user_id)
    return query.where(Photo.status == status) if status is not None else query


def searching(query: Select[Photo], text: str) -> Select[Photo]:
    """Photos whose title or keywords contain ``text``, in any case."""
    return query.where(or_(contains(Photo.title, text), contains(cast(Photo.keywords, String), text)))


SORT_KEYS: dict[PhotoSortField, tuple[InstrumentedAttribute[Any], ...]] = {
    PhotoSortField.CREATED_AT: (Photo.created_at, Photo.id),
    PhotoSortField.TITLE: (Photo.title, Photo.id),
}


async def claim_upload(session: AsyncSession, upload_id: UUID, now: datetime) -> bool:
    """Marks the upload confirmed if nothing confirmed it yet: of concurrent claims, exactly one is True.

    One conditional UPDATE, so the database decides on both dialects (``FOR UPDATE`` is a no-op on SQLite).
    """
    result = await session.execute(
        update(Upload).where(Upload.id == upload_id, Upload.confirmed_at.is_(None)).values(confirmed_at=now),
        execution_options={"synchronize_session": False},
    )
    return bool(getattr(result, "rowcount", 0))


async def record_original_sha256(session: AsyncSession, photo_id: UUID, sha256: str) -> None:
    """Records the hash of an original confirmed before hashes were kept; a hash already recorded stays."""
    await session.execute(
        update(Photo).where(Photo.id == photo_id, Photo.original_sha256.is_(None)).values(original_sha256=sha256),
        execution_options={"synchronize_session": False},
    )


async def hashes_of_others(
    session: AsyncSession, user_id: UUID, exclude: UUID, *, include_own: bool = False
) -> list[tuple[UUID, str]]:
    """Every other photographer's perceptual hashes (a prefix index can narrow this when it grows); with
    ``include_own``, the user's other photos' too (a brand's user-generated content sent twice)."""
    others = Photo.id != exclude if include_own else (Photo.user_id != user_id) & (Photo.id != exclude)
    rows = await session.execute(select(Photo.id, Photo.phash).where(others, Photo.phash.is_not(None)))
    return [(photo_id, phash) for photo_id, phash in rows.all() if phash]


def possible_duplicates() -> Select[Photo]:
    return select(Photo).where(Photo.possible_duplicate_of_id.is_not(None))


async def processing_ids(session: AsyncSession) -> list[UUID]:
    """Photos confirmed and still waiting for their analysis."""
    return list((await session.scalars(select(Photo.id).where(Photo.status == PhotoStatus.PROCESSING))).all())
