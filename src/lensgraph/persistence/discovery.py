"""Queries for public discovery: filtered lists, full-text search, and the tags the exact filters use."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Float,
    Select,
    String,
    and_,
    case,
    cast,
    column,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy import table as table_clause
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from lensgraph.domain.discovery import (
    PRICE_BAND_EDGES,
    Facet,
    FacetCount,
    PhotoFilter,
    PhotoOrder,
    SearchOrder,
    photo_tags,
    price_band_label,
)
from lensgraph.domain.money import ZERO_DECIMAL
from lensgraph.domain.photos import TagKind
from lensgraph.persistence.db import SessionSource
from lensgraph.persistence.licensing import AGREED
from lensgraph.persistence.marketplace import verified_photo
from lensgraph.persistence.models import License, Photo, PhotoTag, Release, ReleasePhoto, User
from lensgraph.persistence.photos import shown_to_everyone

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

# The search index lives outside the models (migration 0005; 0028 added auto_keywords): an FTS5 table on SQLite,
# a generated tsvector column with a GIN index on PostgreSQL.
SEARCH_TABLE = "photo_search"
# FTS5 keeps its index in shadow tables named after the table; external content means no _content table.
SEARCH_TABLES = frozenset({SEARCH_TABLE, *(f"{SEARCH_TABLE}_{part}" for part in ("data", "idx", "docsize", "config"))})
SEARCH_VECTOR = "search_vector"
SEARCH_VECTOR_INDEX = "ix_photos_search_vector"
SEARCH_OBJECTS_ON_PHOTOS = frozenset({("column", SEARCH_VECTOR), ("index", SEARCH_VECTOR_INDEX)})
# The embeddings' vector column and its HNSW index differ per database (migration 0026): no model describes them.
EMBEDDINGS_TABLE = "photo_embeddings"
EMBEDDING_OBJECTS = frozenset({("column", "vector"), ("index", "ix_photo_embeddings_vector")})
# bm25 column weights for (title, keywords, description, auto_keywords), in the proportions of ts_rank's A, B, C, D
# weights: the inferred keywords (migration 0028) count least, below every word the photographer wrote.
FTS5_WEIGHTS = (5.0, 2.0, 1.0, 0.5)

ORDER_KEYS: Mapping[PhotoOrder, Sequence[InstrumentedAttribute[Any]]] = {
    PhotoOrder.NEWEST: (Photo.created_at, Photo.id),
    PhotoOrder.POPULAR: (Photo.popularity, Photo.id),
}
# A search's orders other than relevance, whose key is the match's rank.
SEARCH_ORDER_KEYS: Mapping[SearchOrder, Sequence[InstrumentedAttribute[Any]]] = {
    SearchOrder.NEWEST: ORDER_KEYS[PhotoOrder.NEWEST],
    SearchOrder.POPULARITY: ORDER_KEYS[PhotoOrder.POPULAR],
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
    tags = photo_tags(photo.keywords, photo.auto_keywords, photo.colors, photo.license_usages or [])
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
    return _meeting_offer(query, given)


def _meeting_offer(query: Select[Photo], given: PhotoFilter) -> Select[Photo]:
    """The enterprise conditions: the owner's licensing offer, people, releases of a kind."""
    if given.license_usage is not None:
        query = query.where(_tagged(TagKind.USAGE, given.license_usage.value))
    if given.price_currency is not None:
        # Served by ix_photos_status_currency_price; a photo priced on request has no price to be in range.
        query = query.where(Photo.license_currency == given.price_currency, Photo.license_price.is_not(None))
    if given.min_price is not None:
        query = query.where(Photo.license_price >= given.min_price)
    if given.max_price is not None:
        query = query.where(Photo.license_price <= given.max_price)
    if given.exclusive_available is not None:
        query = query.where(exclusive_open() if given.exclusive_available else ~exclusive_open())
    if given.people_present is not None:
        people = Photo.face_count > 0
        query = query.where(people if given.people_present else or_(Photo.face_count.is_(None), Photo.face_count == 0))
    if given.release_kind is not None:
        query = query.where(
            exists().where(
                ReleasePhoto.photo_id == Photo.id,
                Release.id == ReleasePhoto.release_id,
                Release.kind == given.release_kind,
            )
        )
    return query


def exclusive_open() -> ColumnElement[bool]:
    """The owner offers an exclusive license and none could be refused for a deal already running: no agreed
    license on the photo is in force (``licensing.exclusivity_conflict`` refuses a FULL exclusive over any running
    license where territories overlap; the search does not know the territory asked for, so any running one counts).
    The database's clock, so a statement kept prepared stays right."""
    running = exists().where(
        License.photo_id == Photo.id,
        License.status.in_(AGREED),
        or_(License.ends_at.is_(None), License.ends_at > func.current_timestamp()),
    )
    return and_(Photo.exclusive_available.is_(True), ~running)


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


@dataclass(frozen=True)
class Ranked:
    """A search's matching photos and the keyset (descending) they are ordered and paged by."""

    query: Select[Photo]
    keys: list[Any]


def keyword_ranked(dialect: str, query: Select[Photo], terms: Sequence[str], order: SearchOrder) -> Ranked:
    """Full-text matches of ``terms`` keyed (relevance, id), (created_at, id) or (popularity, id)."""
    narrowed, relevance = matching(dialect, query, terms)
    if order is SearchOrder.RELEVANCE:
        return Ranked(narrowed, [relevance, Photo.id])
    return Ranked(narrowed, list(SEARCH_ORDER_KEYS[order]))


# Facets --------------------------------------------------------------------------------------


def _major_units() -> ColumnElement[Any]:
    """The asking price in whole major units (integer division on both dialects: both columns are integers)."""
    divisor = case((Photo.license_currency.in_(sorted(ZERO_DECIMAL, key=lambda c: c.value)), 1), else_=100)
    return Photo.license_price // divisor


def _price_band() -> ColumnElement[Any]:
    """``EUR 50-200``: the currency and the band of ``domain.discovery.PRICE_BAND_EDGES``; NULL on request."""
    major = _major_units()
    edges = [(major < edge, price_band_label(index)) for index, edge in enumerate(PRICE_BAND_EDGES)]
    band = case(*edges, else_=price_band_label(len(PRICE_BAND_EDGES)))
    return case((Photo.license_price.is_(None), None), else_=cast(Photo.license_currency, String) + literal(" ") + band)


def _yes_no(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return case((condition, "true"), else_="false")


_SINGLE_VALUED: Mapping[Facet, Callable[[], ColumnElement[Any]]] = {
    Facet.CATEGORY: lambda: cast(Photo.category, String),
    Facet.ORIENTATION: lambda: cast(Photo.orientation, String),
    Facet.PRICE_BAND: _price_band,
    Facet.HAS_RELEASE: lambda: _yes_no(exists().where(ReleasePhoto.photo_id == Photo.id)),
    Facet.VERIFIED: lambda: _yes_no(verified_photo()),
}


def _facet(facet: Facet, found: Any) -> Select[Any]:
    """One facet's (name, value, count) rows over the photos in ``found``, grouped in the database."""
    photos = select().select_from(Photo).join(found, found.c.id == Photo.id)
    value: Any
    if facet is Facet.PHOTOGRAPHER:
        photos, value = photos.join(User, User.id == Photo.user_id), User.username
    elif facet in (Facet.COLOR, Facet.LICENSE_USAGE):
        kind = TagKind.COLOR if facet is Facet.COLOR else TagKind.USAGE
        photos = photos.join(PhotoTag, and_(PhotoTag.photo_id == Photo.id, PhotoTag.kind == kind))
        value = PhotoTag.value
    else:
        value = _SINGLE_VALUED[facet]()
    bucket = value.label("value")
    counted = [literal(facet.value, String).label("facet"), bucket, func.count().label("count")]
    return photos.add_columns(*counted).group_by(bucket)


async def facet_counts(
    db: SessionSource, filtered: Select[Photo], facets: Sequence[Facet]
) -> dict[Facet, list[FacetCount]]:
    """Every facet's buckets over the photos ``filtered`` selects (the search's own set, so they agree with its
    totalCount): one statement, the set computed once (a CTE) and grouped per facet, most photos first."""
    found = filtered.with_only_columns(Photo.id).order_by(None).cte("found")
    statement = union_all(*(_facet(facet, found) for facet in facets))
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    counted: dict[Facet, list[FacetCount]] = {facet: [] for facet in facets}
    for name, value, count in rows:
        counted[Facet(name)].append(FacetCount(value, int(count)))
    for buckets in counted.values():
        buckets.sort(key=lambda bucket: (-bucket.count, bucket.value is None, bucket.value or ""))
    return counted


async def keyword_ranking(
    session: AsyncSession, dialect: str, within: Select[Photo], terms: Sequence[str], limit: int
) -> list[uuid.UUID]:
    """The ids of the keyword search's best ``limit`` photos among ``within``, in its order (relevance, id)."""
    if not terms:
        return []
    query, relevance = matching(dialect, within, terms)
    statement = query.with_only_columns(Photo.id).order_by(relevance.desc(), Photo.id).limit(limit)
    return list((await session.scalars(statement)).all())


# A query of photos, as resolvers pass one on (they import no SQLAlchemy).
PhotoQuery = Select[Photo]


def photos_among(photo_ids: Sequence[uuid.UUID]) -> PhotoQuery:
    """The photos of these ids (a ranked search's whole result), as a query its facets count over."""
    return select(Photo).where(Photo.id.in_(photo_ids))


async def photos_in_order(session: AsyncSession, photo_ids: Sequence[uuid.UUID]) -> list[Photo]:
    """The photos of these ids in this order (those that still exist), in one statement."""
    if not photo_ids:
        return []
    found = {row.id: row for row in (await session.scalars(select(Photo).where(Photo.id.in_(photo_ids)))).all()}
    return [found[photo_id] for photo_id in photo_ids if photo_id in found]
