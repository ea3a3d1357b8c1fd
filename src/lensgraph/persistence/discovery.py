"""Queries for public discovery: filtered lists, full-text search, and the tags the exact filters use."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Float,
    Select,
    column,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy import table as table_clause
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from lensgraph.domain.discovery import PhotoFilter, PhotoOrder, photo_tags
from lensgraph.domain.photos import TagKind
from lensgraph.persistence.marketplace import verified_photo
from lensgraph.persistence.models import Photo, PhotoTag, ReleasePhoto, User
from lensgraph.persistence.photos import shown_to_everyone

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

# The search index lives outside the models (migration 0005): an FTS5 table on SQLite, a generated
# tsvector column with a GIN index on PostgreSQL.
SEARCH_TABLE = "photo_search"
# FTS5 keeps its index in shadow tables named after the table; external content means no _content table.
SEARCH_TABLES = frozenset({SEARCH_TABLE, *(f"{SEARCH_TABLE}_{part}" for part in ("data", "idx", "docsize", "config"))})
SEARCH_VECTOR = "search_vector"
SEARCH_VECTOR_INDEX = "ix_photos_search_vector"
SEARCH_OBJECTS_ON_PHOTOS = frozenset({("column", SEARCH_VECTOR), ("index", SEARCH_VECTOR_INDEX)})
# The embeddings' vector column and its HNSW index differ per database (migration 0026): no model describes them.
EMBEDDINGS_TABLE = "photo_embeddings"
EMBEDDING_OBJECTS = frozenset({("column", "vector"), ("index", "ix_photo_embeddings_vector")})
# bm25 column weights for (title, keywords, description), in the proportions of ts_rank's A, B, C weights.
FTS5_WEIGHTS = (5.0, 2.0, 1.0)

ORDER_KEYS: Mapping[PhotoOrder, Sequence[InstrumentedAttribute[Any]]] = {
    PhotoOrder.NEWEST: (Photo.created_at, Photo.id),
    PhotoOrder.POPULAR: (Photo.popularity, Photo.id),
}


def include_in_autogenerate(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
    """Alembic's ``include_name`` hook: hides the search objects, which no model describes, and nothing else."""
    if type_ == "table":
        return name not in SEARCH_TABLES
    parent = parent_names.get("table_name")
    if parent == EMBEDDINGS_TABLE:
        return (type_, name) not in EMBEDDING_OBJECTS
    return not (parent == Photo.__tablename__ and (type_, name) in SEARCH_OBJECTS_ON_PHOTOS)


# Tags ----------------------------------------------------------------------------------------


async def replace_tags(session: AsyncSession, photo: Photo) -> None:
    """Rewrites the photo's tag rows from its keywords, inferred keywords and colours; safe to repeat."""
    await session.flush()  # the photo's row, and so its id, must exist before rows referring to it
    await session.execute(delete(PhotoTag).where(PhotoTag.photo_id == photo.id))
    tags = photo_tags(photo.keywords, photo.auto_keywords, photo.colors)
    if tags:
        rows = [{"photo_id": photo.id, "kind": kind, "value": value} for kind, value in tags]
        await session.execute(insert(PhotoTag).values(rows))


# Lists ---------------------------------------------------------------------------------------


def public_photos(given: PhotoFilter) -> Select[Photo]:
    """Photos anyone may see (``policies.can_view_photo`` for a stranger) that meet every condition given."""
    return meeting(select(Photo).where(shown_to_everyone()), given)


def meeting(query: Select[Photo], given: PhotoFilter) -> Select[Photo]:
    """``query`` narrowed to the photos that meet every condition given."""
    if given.keyword is not None:
        query = query.where(_tagged(TagKind.KEYWORD, given.keyword))
    if given.color is not None:
        query = query.where(_tagged(TagKind.COLOR, given.color))
    if given.category is not None:
        query = query.where(Photo.category == given.category)
    if given.orientation is not None:
        query = query.where(Photo.orientation == given.orientation)
    if given.photographer is not None:
        query = query.where(
            Photo.user_id == select(User.id).where(User.username == given.photographer).scalar_subquery()
        )
    if given.min_width is not None:
        query = query.where(Photo.width >= given.min_width)
    if given.has_release is not None:
        released = exists().where(ReleasePhoto.photo_id == Photo.id)
        query = query.where(released if given.has_release else ~released)
    if given.captured_after is not None:
        query = query.where(Photo.captured_at >= given.captured_after)
    if given.captured_before is not None:
        query = query.where(Photo.captured_at < given.captured_before)
    if given.verified_only:
        query = query.where(verified_photo())
    return query


def _tagged(kind: TagKind, value: str) -> ColumnElement[bool]:
    # Served by photo_tags' primary key (photo_id, kind, value); ix_photo_tags_kind_value serves the reverse.
    return exists().where(PhotoTag.photo_id == Photo.id, PhotoTag.kind == kind, PhotoTag.value == value)


# Search --------------------------------------------------------------------------------------

_fts = table_clause(SEARCH_TABLE, column("rowid"))
# FTS5's hidden column named after its table: the left side of MATCH, and what bm25() scores.
_fts_all_columns: ColumnClause[Any] = literal_column(SEARCH_TABLE)
_photos_rowid: ColumnClause[Any] = literal_column(f"{Photo.__tablename__}.rowid")
_search_vector: ColumnClause[Any] = literal_column(f"{Photo.__tablename__}.{SEARCH_VECTOR}")
_english: ColumnClause[Any] = literal_column("'english'::regconfig")


def matching(dialect: str, query: Select[Photo], terms: Sequence[str]) -> tuple[Select[Photo], ColumnElement[float]]:
    """Narrows ``query`` to photos whose text has every term (stemmed) and returns their relevance, higher first.

    The relevance is a plain number, so it can be half of a (relevance, id) keyset.
    """
    if not terms:
        raise ValueError("a search needs at least one term")
    if dialect == "postgresql":
        tsquery = func.plainto_tsquery(_english, " ".join(terms))
        rank = func.ts_rank(_search_vector, tsquery, type_=Float)
        return query.where(_search_vector.op("@@")(tsquery)), rank.label("relevance")
    # bm25 is better when lower (negative); negated, both dialects rank "higher is better".
    relevance = -func.bm25(_fts_all_columns, *FTS5_WEIGHTS, type_=Float)
    narrowed = query.join(_fts, _fts.c.rowid == _photos_rowid).where(_fts_all_columns.op("MATCH")(fts5_query(terms)))
    return narrowed, relevance.label("relevance")


def fts5_query(terms: Sequence[str]) -> str:
    """Each term as an FTS5 string (quotes doubled), so nothing in it is syntax; juxtaposed strings mean AND."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


async def keyword_ranking(
    session: AsyncSession, dialect: str, within: Select[Photo], terms: Sequence[str], limit: int
) -> list[uuid.UUID]:
    """The ids of the keyword search's best ``limit`` photos among ``within``, in its order (relevance, id)."""
    if not terms:
        return []
    query, relevance = matching(dialect, within, terms)
    statement = query.with_only_columns(Photo.id).order_by(relevance.desc(), Photo.id).limit(limit)
    return list((await session.scalars(statement)).all())


async def photos_in_order(session: AsyncSession, photo_ids: Sequence[uuid.UUID]) -> list[Photo]:
    """The photos of these ids in this order (those that still exist), in one statement."""
    if not photo_ids:
        return []
    found = {row.id: row for row in (await session.scalars(select(Photo).where(Photo.id.in_(photo_ids)))).all()}
    return [found[photo_id] for photo_id in photo_ids if photo_id in found]
