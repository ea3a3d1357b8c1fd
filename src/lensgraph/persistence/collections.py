"""Queries for collections, the lightbox and portfolios, and the batch functions their loaders run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from sqlalchemy import Insert, Integer, Select, and_, bindparam, case, delete, func, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.domain.portfolios import DEFAULT_THEME
from lensgraph.persistence.base import dialect_insert, grouped, take_write_lock, utcnow
from lensgraph.persistence.db import Database, SessionSource
from lensgraph.persistence.models import (
    Collection,
    CollectionPhoto,
    FeaturedPhoto,
    LightboxItem,
    Photo,
    Portfolio,
    User,
)
from lensgraph.persistence.photos import PhotoColumns, shown_to_everyone
from lensgraph.persistence.prepared import PreparedStatements

# Statements with a list of IDs send one bound parameter per ID; drivers cap how many one statement takes.
IDS_PER_STATEMENT = 500
# Writes made once per process (per dialect).
WRITES = PreparedStatements()


# Collections -----------------------------------------------------------------------------------

COLLECTIONS = Collection.__table__


async def insert_collection(
    db: Database, *, user_id: UUID, title: str, description: str, visibility: Visibility, slug: str
) -> Collection:
    """A new collection, stored in one statement (a transaction by itself: one round trip on PostgreSQL). The
    unique index decides the slug: ``ConstraintViolation`` when it is taken."""
    now = utcnow()
    collection = Collection(
        id=uuid4(),
        user_id=user_id,
        title=title,
        slug=slug,
        description=description,
        visibility=visibility,
        created_at=now,
        updated_at=now,
    )
    values = {column.name: getattr(collection, column.name) for column in COLLECTIONS.c}
    await WRITES.write(db, "insert collection", _insert_collection, values)
    return collection


def _insert_collection() -> Insert:
    return insert(Collection).values({column.name: bindparam(column.name) for column in COLLECTIONS.c})


def collections_of(user_id: UUID, *, public_only: bool = False) -> Select[Collection]:
    query = select(Collection).where(Collection.user_id == user_id)
    return query.where(Collection.visibility == Visibility.PUBLIC) if public_only else query


async def collection_by_slug(session: AsyncSession, slug: str) -> Collection | None:
    return await session.scalar(select(Collection).where(Collection.slug == slug))


async def collection_for_update(session: AsyncSession, collection_id: UUID) -> Collection | None:
    """Locks the collection: changes to its photos and their order happen one at a time (on SQLite too)."""
    await take_write_lock(session, Collection, Collection.id == collection_id)
    return await session.scalar(select(Collection).where(Collection.id == collection_id))


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return await session.scalar(select(Collection.id).where(Collection.slug == slug).limit(1)) is not None


async def slugs_numbered_from(session: AsyncSession, base: str) -> set[str]:
    """``base`` and the ``base-...`` slugs taken, to pick the next free number (slugs hold no LIKE wildcards)."""
    query = select(Collection.slug).where(or_(Collection.slug == base, Collection.slug.like(f"{base}-%")))
    return set((await session.scalars(query)).all())


async def photo_ids_in(session: AsyncSession, collection_id: UUID) -> list[UUID]:
    """The collection's photos in their order."""
    query = (
        select(CollectionPhoto.photo_id)
        .where(CollectionPhoto.collection_id == collection_id)
        .order_by(CollectionPhoto.position, CollectionPhoto.photo_id)
    )
    return list((await session.scalars(query)).all())


async def holds_photo(session: AsyncSession, collection_id: UUID, photo_id: UUID) -> bool:
    return await session.get(CollectionPhoto, (collection_id, photo_id)) is not None


async def photo_count_and_next_position(session: AsyncSession, collection_id: UUID) -> tuple[int, int]:
    count, last = (
        await session.execute(
            select(func.count(), func.max(CollectionPhoto.position)).where(
                CollectionPhoto.collection_id == collection_id
            )
        )
    ).one()
    return int(count), 0 if last is None else int(last) + 1


async def append_photo(session: AsyncSession, collection_id: UUID, photo_id: UUID, position: int) -> bool:
    """True when the photo was not there yet: two requests adding it at once leave one row, not an error."""
    statement = (
        dialect_insert(session, CollectionPhoto)
        .values(collection_id=collection_id, photo_id=photo_id, position=position)
        .on_conflict_do_nothing(index_elements=["collection_id", "photo_id"])
        .returning(CollectionPhoto.photo_id)
    )
    return (await session.execute(statement)).first() is not None


async def remove_photo(session: AsyncSession, collection_id: UUID, photo_id: UUID) -> bool:
    """Leaves a gap in the positions, which orders just as well."""
    result = await session.execute(
        delete(CollectionPhoto)
        .where(CollectionPhoto.collection_id == collection_id, CollectionPhoto.photo_id == photo_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def set_positions(session: AsyncSession, collection_id: UUID, ordered_photo_ids: Sequence[UUID]) -> None:
    """One UPDATE by primary key per photo, sent as a single executemany."""
    if ordered_photo_ids:
        await session.execute(
            update(CollectionPhoto),
            [
                {"collection_id": collection_id, "photo_id": photo_id, "position": position}
                for position, photo_id in enumerate(ordered_photo_ids)
            ],
        )


def entries_of(collection_id: UUID, *, public_only: bool) -> Select[CollectionPhoto]:
    """A collection's places, for keyset pages on (position, photo_id)."""
    query = select(CollectionPhoto).where(CollectionPhoto.collection_id == collection_id)
    if public_only:
        query = query.join(Photo, Photo.id == CollectionPhoto.photo_id).where(shown_to_everyone())
    return query


# Lightbox --------------------------------------------------------------------------------------


def lightbox_of(user_id: UUID) -> Select[LightboxItem]:
    """A brand's lightbox, less the photos that stopped being visible to them (made private, say)."""
    return (
        select(LightboxItem)
        .join(Photo, Photo.id == LightboxItem.photo_id)
        .where(LightboxItem.user_id == user_id, shown_to_everyone())
    )


async def add_to_lightbox(session: AsyncSession, user_id: UUID, photo_id: UUID) -> bool:
    """True when the row is new; adding a photo that is there already changes nothing, even under a race."""
    statement = (
        dialect_insert(session, LightboxItem)
        .values(user_id=user_id, photo_id=photo_id)
        .on_conflict_do_nothing(index_elements=["user_id", "photo_id"])
        .returning(LightboxItem.photo_id)
    )
    return (await session.execute(statement)).first() is not None


async def remove_from_lightbox(session: AsyncSession, user_id: UUID, photo_id: UUID) -> bool:
    result = await session.execute(
        delete(LightboxItem)
        .where(LightboxItem.user_id == user_id, LightboxItem.photo_id == photo_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def clear_lightbox(session: AsyncSession, user_id: UUID) -> list[UUID]:
    """The photos removed: exactly those this statement deleted, whatever is added concurrently."""
    result = await session.execute(
        delete(LightboxItem)
        .where(LightboxItem.user_id == user_id)
        .returning(LightboxItem.photo_id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars().all())


async def increase_popularity(session: AsyncSession, photo_id: UUID) -> None:
    """A relative UPDATE, not read-modify-write: concurrent savers do not collide on the photo's version.

    ``updated_at`` is kept: other people saving a photo is not an edit of it.
    """
    await session.execute(
        update(Photo)
        .where(Photo.id == photo_id)
        .values(popularity=Photo.popularity + 1, updated_at=Photo.updated_at)
        .execution_options(synchronize_session=False)
    )


async def decrease_popularity(session: AsyncSession, photo_ids: Sequence[UUID]) -> None:
    """One less for each photo, never below zero; relative, like ``increase_popularity``."""
    for start in range(0, len(photo_ids), IDS_PER_STATEMENT):
        await session.execute(
            update(Photo)
            .where(Photo.id.in_(photo_ids[start : start + IDS_PER_STATEMENT]), Photo.popularity > 0)
            .values(popularity=Photo.popularity - 1, updated_at=Photo.updated_at)
            .execution_options(synchronize_session=False)
        )


# Portfolios ------------------------------------------------------------------------------------


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username == username))


async def portfolio_of(session: AsyncSession, user_id: UUID) -> Portfolio | None:
    return await session.get(Portfolio, user_id)


async def portfolio_for_update(session: AsyncSession, user_id: UUID) -> Portfolio:
    """The user's portfolio row, created with the defaults if need be, and locked.

    Creating it with ON CONFLICT DO NOTHING lets two first saves race without a unique violation; the
    lock then makes settings and featured photos change one request at a time.
    """
    await session.execute(
        dialect_insert(session, Portfolio)
        .values(user_id=user_id, headline="", bio="", theme=DEFAULT_THEME.value, social_links={})
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    locked = await session.execute(select(Portfolio).where(Portfolio.user_id == user_id).with_for_update())
    return locked.scalar_one()


async def own_photo_statuses(
    session: AsyncSession, user_id: UUID, photo_ids: Sequence[UUID]
) -> dict[UUID, PhotoStatus]:
    """The status of each of these photos that belongs to ``user_id``."""
    if not photo_ids:
        return {}
    rows = await session.execute(
        select(Photo.id, Photo.status).where(Photo.user_id == user_id, Photo.id.in_(photo_ids))
    )
    return {photo_id: status for photo_id, status in rows.all()}


async def replace_featured(session: AsyncSession, user_id: UUID, photo_ids: Sequence[UUID]) -> None:
    await session.execute(
        delete(FeaturedPhoto).where(FeaturedPhoto.user_id == user_id).execution_options(synchronize_session=False)
    )
    session.add_all(
        FeaturedPhoto(user_id=user_id, photo_id=photo_id, position=position)
        for position, photo_id in enumerate(photo_ids)
    )


# Batch functions for persistence/loaders.py: one statement per batch, answers in the order of the keys.


class CountKey(NamedTuple):
    """What to count under ``id`` (a collection, a user): everything, or only what others may see."""

    id: UUID
    public_only: bool


class CollectionPhotosKey(NamedTuple):
    collection_id: UUID
    public_only: bool
    limit: int


@dataclass(frozen=True)
class CollectionEntry:
    """A photo at its place in a collection."""

    position: int
    photo: Photo


async def first_photos_of_collections(
    session: AsyncSession, keys: Sequence[CollectionPhotosKey]
) -> list[list[CollectionEntry]]:
    """The first ``limit + 1`` photos of each collection (the extra one tells whether another page follows).

    One windowed statement for every collection asked with the same visibility; the window is as wide
    as the largest page asked, and each key gets its own slice.
    """
    found: dict[tuple[UUID, bool], list[CollectionEntry]] = {}
    for public_only in {key.public_only for key in keys}:
        group = [key for key in keys if key.public_only == public_only]
        rank = (
            func.row_number()
            .over(
                partition_by=CollectionPhoto.collection_id,
                order_by=(CollectionPhoto.position, CollectionPhoto.photo_id),
            )
            .label("rank_in_collection")
        )
        ranked = (
            select(Photo, CollectionPhoto.collection_id, CollectionPhoto.position, rank)
            .join(CollectionPhoto, CollectionPhoto.photo_id == Photo.id)
            .where(CollectionPhoto.collection_id.in_({key.collection_id for key in group}))
        )
        if public_only:
            ranked = ranked.where(shown_to_everyone())
        window = ranked.subquery()
        photo = aliased(Photo, window)
        rows = await session.execute(
            select(photo, window.c.collection_id, window.c.position)
            .where(window.c.rank_in_collection <= max(key.limit for key in group) + 1)
            .order_by(window.c.collection_id, window.c.rank_in_collection)
        )
        for row_photo, collection_id, position in rows:
            found.setdefault((collection_id, public_only), []).append(CollectionEntry(position, row_photo))
    return [found.get((key.collection_id, key.public_only), [])[: key.limit + 1] for key in keys]


async def collection_photo_counts(session: AsyncSession, keys: Sequence[CountKey]) -> list[int]:
    visible = func.sum(case((shown_to_everyone(), 1), else_=0))
    rows = await session.execute(
        select(CollectionPhoto.collection_id, func.count(), visible)
        .join(Photo, Photo.id == CollectionPhoto.photo_id)
        .where(CollectionPhoto.collection_id.in_({key.id for key in keys}))
        .group_by(CollectionPhoto.collection_id)
    )
    return _pick_counts(rows.all(), keys)


async def user_photo_counts(session: AsyncSession, keys: Sequence[CountKey]) -> list[int]:
    visible = func.sum(case((shown_to_everyone(), 1), else_=0))
    rows = await session.execute(
        select(Photo.user_id, func.count(), visible)
        .where(Photo.user_id.in_({key.id for key in keys}))
        .group_by(Photo.user_id)
    )
    return _pick_counts(rows.all(), keys)


def _pick_counts(rows: Sequence[tuple[UUID, int, int | None]], keys: Sequence[CountKey]) -> list[int]:
    counts = {key: (int(total), int(visible or 0)) for key, total, visible in rows}
    return [counts.get(key.id, (0, 0))[1 if key.public_only else 0] for key in keys]


async def collections_holding(session: AsyncSession, photo_ids: Sequence[UUID]) -> list[list[Collection]]:
    """Every collection holding each photo, oldest first; callers keep the ones the viewer may see."""
    rows = await session.execute(
        select(CollectionPhoto.photo_id, Collection)
        .join(Collection, Collection.id == CollectionPhoto.collection_id)
        .where(CollectionPhoto.photo_id.in_(set(photo_ids)))
        .order_by(Collection.created_at, Collection.id)
    )
    return grouped(rows, photo_ids)


async def featured_photos(session: AsyncSession, user_ids: Sequence[UUID]) -> list[list[Photo]]:
    """Each user's featured photos in order; callers keep the ones the viewer may see."""
    rows = await session.execute(
        select(FeaturedPhoto.user_id, Photo)
        .join(Photo, Photo.id == FeaturedPhoto.photo_id)
        .where(FeaturedPhoto.user_id.in_(set(user_ids)))
        .order_by(FeaturedPhoto.user_id, FeaturedPhoto.position)
    )
    return grouped(rows, user_ids)


# The compiled read path -------------------------------------------------------------------------


@dataclass
class CollectionWithPhotos:
    """One of an owner's collections as the compiled read path reads it: the asked columns, its cursor key,
    and its first photos (the asked photo columns, then position and photo id for their cursors), with how many
    photos it holds in all."""

    values: tuple[Any, ...]
    key: tuple[Any, ...]
    photos: list[tuple[Any, ...]]
    photo_count: int


async def first_collections_with_photos(
    db: SessionSource,
    owner_id: UUID,
    columns: Sequence[str],
    limit: int,
    photo_columns: PhotoColumns,
    photo_limit: int,
    prepared: PreparedStatements,
) -> list[CollectionWithPhotos] | None:
    """The owner's first ``limit + 1`` collections, newest first (as ``collections_of`` pages them), each with its
    first ``photo_limit + 1`` photos in the owner's order, all of them (the owner's view): one statement. None when
    the owner's account is gone. The statement of each shape is made once (``prepared``), its owner and sizes
    bound per run."""
    shape = (tuple(columns), photo_columns)
    parameters = {"owner_id": owner_id, "size": limit + 1, "photo_size": photo_limit + 1}
    rows = await prepared.rows(db, shape, lambda: _collections_with_photos(columns, photo_columns), parameters)
    if not rows:
        return None
    width, photo_width = len(columns), len(photo_columns.names)
    found: list[CollectionWithPhotos] = []
    for row in rows:
        collection_id = row[width + 1]
        if collection_id is None:
            break  # the owner has no collection: the one row is the account's alone
        if not found or found[-1].key[1] != collection_id:
            found.append(CollectionWithPhotos(tuple(row[:width]), (row[width], collection_id), [], 0))
        photo = row[width + 2 :]  # the photo columns, then collection id, position, photo id, rank, count in all
        if photo[photo_width] is not None:  # a collection without photos joins none
            found[-1].photos.append((*photo[:photo_width], photo[photo_width + 1], photo[photo_width + 2]))
            found[-1].photo_count = photo[photo_width + 4]
    return found


def _collections_with_photos(columns: Sequence[str], photo_columns: PhotoColumns) -> Select[Any]:
    """The statement of ``first_collections_with_photos``: the owner (``owner_id``) joined to the first ``size``
    collections, each to its first ``photo_size`` photos; with no collection, the owner's row alone."""
    collections, links = Collection.__table__, CollectionPhoto.__table__
    page = (
        select(
            *[collections.c[name].label(f"c_{name}") for name in columns], collections.c.created_at, collections.c.id
        )
        .where(collections.c.user_id == bindparam("owner_id", type_=User.id.type))
        .order_by(collections.c.created_at.desc(), collections.c.id.desc())
        .limit(bindparam("size", type_=Integer()))
        .subquery("page")
    )
    rank = func.row_number().over(partition_by=links.c.collection_id, order_by=(links.c.position, links.c.photo_id))
    in_all = func.count().over(partition_by=links.c.collection_id)
    photos = photo_columns.joined(select(Photo).join(links, links.c.photo_id == Photo.id))
    ranked = (
        photos.with_only_columns(
            *[column.label(f"p_{index}") for index, column in enumerate(photo_columns.selected)],
            links.c.collection_id,
            links.c.position,
            links.c.photo_id,
            rank.label("rank"),
            in_all.label("in_all"),
        )
        .where(links.c.collection_id.in_(select(page.c.id)))
        .subquery("ranked")
    )
    users = User.__table__
    first_photos = and_(ranked.c.collection_id == page.c.id, ranked.c.rank <= bindparam("photo_size", type_=Integer()))
    return (
        select(page, ranked)
        .select_from(users.outerjoin(page, true()).outerjoin(ranked, first_photos))
        .where(users.c.id == bindparam("owner_id", type_=User.id.type))
        .order_by(page.c.created_at.desc(), page.c.id.desc(), ranked.c.rank)
    )
