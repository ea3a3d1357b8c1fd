"""Photo embeddings: storing each photo's vector (model and version beside it) and finding the nearest.

Three stores, one API. PostgreSQL with pgvector: ``vector(384)``, ordered by ``<=>`` (cosine distance) through an
HNSW index. PostgreSQL without pgvector: ``real[]``, an exact scan computing the dot product in SQL (the vectors
are L2-normalised, so it is the cosine similarity): correct, slower. SQLite: a little-endian float32 BLOB (the
format sqlite-vec reads) compared by ``vec_distance_cosine``: sqlite-vec's where this Python's sqlite3 can load
extensions, else the same function registered in Python (``persistence/db.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

import numpy as np
import orjson
from sqlalchemy import (
    REAL,
    BindParameter,
    ColumnClause,
    ColumnElement,
    LargeBinary,
    Select,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import UserDefinedType

from lensgraph.persistence.base import UTCDateTime, utcnow
from lensgraph.persistence.models import Photo, PhotoEmbedding
from lensgraph.persistence.photos import shown_to_everyone

VECTOR: ColumnClause[Any] = literal_column(f"{PhotoEmbedding.__tablename__}.vector")
# The HNSW index's candidate list: at least the rows asked for, so a LIMIT is never cut short by it.
MIN_EF_SEARCH = 40


class VectorStore(Enum):
    BLOB = "blob"  # SQLite
    PGVECTOR = "pgvector"
    ARRAY = "real[]"  # PostgreSQL without pgvector: exact scan


class _PgVector(UserDefinedType[Any]):
    cache_ok = True

    def get_col_spec(self, **_kw: Any) -> str:
        return "vector"


# Per database URL: which store the migration made (read once from the catalogue).
_stores: dict[str, VectorStore] = {}


async def vector_store(session: AsyncSession) -> VectorStore:
    """The kind of vector column this database has."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return VectorStore.BLOB
    key = str(bind.engine.url)
    found = _stores.get(key)
    if found is None:
        kind = await session.scalar(
            text(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = to_regclass('photo_embeddings') AND attname = 'vector'"
            )
        )
        found = VectorStore.PGVECTOR if kind and str(kind).startswith("vector") else VectorStore.ARRAY
        _stores[key] = found
    return found


def _vector_param(store: VectorStore, vector: Sequence[float], name: str) -> BindParameter[Any]:
    """``vector`` as a bound value the store reads: float32 bytes, pgvector's text form, or a real[]."""
    if store is VectorStore.BLOB:
        return bindparam(name, np.asarray(vector, dtype="<f4").tobytes(), type_=LargeBinary)
    if store is VectorStore.PGVECTOR:
        return bindparam(name, "[" + ",".join(repr(float(value)) for value in vector) + "]", type_=Text)
    return bindparam(name, [float(value) for value in vector], type_=ARRAY(REAL))


def _bound_vector(store: VectorStore, vector: Sequence[float], name: str) -> ColumnElement[Any]:
    param = _vector_param(store, vector, name)
    return cast(param, _PgVector()) if store is VectorStore.PGVECTOR else param


def _similarity(store: VectorStore, query: ColumnElement[Any]) -> ColumnElement[float]:
    """Cosine similarity of the stored vector with ``query``: 1 is the same direction."""
    if store is VectorStore.BLOB:
        return 1 - func.vec_distance_cosine(VECTOR, query)
    if store is VectorStore.PGVECTOR:
        return 1 - VECTOR.op("<=>")(query)
    pairs = func.unnest(VECTOR, query).table_valued("a", "b").render_derived()
    # In double precision: products of two reals underflow (an error in PostgreSQL) near zero.
    products = cast(pairs.c.a, DOUBLE_PRECISION) * cast(pairs.c.b, DOUBLE_PRECISION)
    dot: ColumnElement[float] = select(func.sum(products)).scalar_subquery()
    return dot


async def store_photo_embedding(
    session: AsyncSession,
    photo_id: uuid.UUID,
    vector: Sequence[float],
    *,
    model: str,
    version: str,
    text_sha256: str = "",
) -> None:
    """Writes (or replaces) the photo's vector with the model and version that made it; safe to repeat."""
    store = await vector_store(session)
    placeholder = "CAST(:vector AS vector)" if store is VectorStore.PGVECTOR else ":vector"
    statement = text(
        "INSERT INTO photo_embeddings (photo_id, model, model_version, text_sha256, embedded_at, vector) "
        f"VALUES (:photo_id, :model, :version, :digest, :embedded_at, {placeholder}) "
        "ON CONFLICT (photo_id) DO UPDATE SET model = excluded.model, model_version = excluded.model_version, "
        "text_sha256 = excluded.text_sha256, embedded_at = excluded.embedded_at, vector = excluded.vector"
    ).bindparams(
        bindparam("photo_id", photo_id, type_=PhotoEmbedding.__table__.c.photo_id.type),
        bindparam("model", model),
        bindparam("version", version),
        bindparam("digest", text_sha256),
        bindparam("embedded_at", utcnow(), type_=UTCDateTime()),
        _vector_param(store, vector, "vector"),
    )
    await session.execute(statement)


async def nearest_photos(
    session: AsyncSession,
    vector: Sequence[float],
    *,
    model: str,
    limit: int,
    exclude_ids: Iterable[uuid.UUID] = (),
    within: Select[Any] | None = None,
) -> list[tuple[uuid.UUID, float]]:
    """The photos whose vectors (made by ``model``) are nearest to ``vector``, with their cosine similarity,
    best first (ties by id). Only photos anyone may see, or those of ``within`` (a ``select(Photo)`` with its
    conditions, e.g. ``discovery.public_photos(filter)``)."""
    if limit <= 0:
        return []
    store = await vector_store(session)
    query_vector = _bound_vector(store, vector, "query_vector")
    similarity = _similarity(store, query_vector).label("similarity")
    base = within if within is not None else select(Photo).where(shown_to_everyone())
    statement = (
        base.with_only_columns(Photo.id, similarity)
        .join(PhotoEmbedding, PhotoEmbedding.photo_id == Photo.id)
        .where(PhotoEmbedding.model == model)
        .limit(limit)
    )
    excluded = list(exclude_ids)
    if excluded:
        statement = statement.where(Photo.id.not_in(excluded))
    if store is VectorStore.PGVECTOR:
        # The HNSW index serves ORDER BY distance; iterative scans go on past rows the conditions drop.
        ef_search = str(max(MIN_EF_SEARCH, min(limit, 1000)))
        settings = "SELECT set_config('hnsw.ef_search', :value, true), set_config('hnsw.iterative_scan', :scan, true)"
        await session.execute(text(settings), {"value": ef_search, "scan": "strict_order"})
        # The distance alone: a second sort key would make the planner sort every row instead of using the index.
        statement = statement.order_by(VECTOR.op("<=>")(query_vector))
    else:
        statement = statement.order_by(similarity.desc(), Photo.id)
    rows = (await session.execute(statement)).all()
    # Equal scores in id order, on every store.
    return sorted(((row[0], float(row[1])) for row in rows), key=lambda pair: (-pair[1], pair[0]))


async def photo_vectors(session: AsyncSession, photo_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[float]]:
    """The stored vectors of these photos (those that have one), whatever model made them."""
    wanted = list(photo_ids)
    if not wanted:
        return {}
    store = await vector_store(session)
    column: Any = cast(VECTOR, Text) if store is VectorStore.PGVECTOR else VECTOR
    rows = await session.execute(select(PhotoEmbedding.photo_id, column).where(PhotoEmbedding.photo_id.in_(wanted)))
    found: dict[uuid.UUID, list[float]] = {}
    for photo_id, stored in rows.all():
        if store is VectorStore.BLOB:
            found[photo_id] = np.frombuffer(stored, dtype="<f4").astype(float).tolist()
        elif store is VectorStore.PGVECTOR:
            found[photo_id] = [float(value) for value in orjson.loads(stored)]
        else:
            found[photo_id] = [float(value) for value in stored]
    return found


async def embedding_of(session: AsyncSession, photo_id: uuid.UUID) -> PhotoEmbedding | None:
    """The photo's embedding record (model, version, text hash), without the vector."""
    return await session.get(PhotoEmbedding, photo_id)


async def stale_photo_ids(
    session: AsyncSession, *, model: str, version: str, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """Analysed photos (by id, after ``after``) never embedded or embedded by another model or version: what
    ``lensgraph reindex`` embeds, one keyset batch at a time."""
    current = (
        select(PhotoEmbedding.photo_id)
        .where(
            PhotoEmbedding.photo_id == Photo.id,
            PhotoEmbedding.model == model,
            PhotoEmbedding.model_version == version,
        )
        .exists()
    )
    query = select(Photo.id).where(Photo.analyzed_at.is_not(None), ~current).order_by(Photo.id).limit(limit)
    if after is not None:
        query = query.where(Photo.id > after)
    return list((await session.scalars(query)).all())
