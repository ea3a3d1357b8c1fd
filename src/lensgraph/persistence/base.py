"""Declarative base: UUID keys, UTC timestamps, one naming convention for constraints."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from sqlalchemy import ColumnElement, DateTime, MetaData, String, TypeDecorator, Uuid, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def like_pattern(text: str) -> str:
    """``%text%`` for a case-insensitive LIKE (lower-cased), its own wildcards escaped with a backslash."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column: ColumnElement[Any] | InstrumentedAttribute[Any], text: str) -> ColumnElement[bool]:
    """The column's text contains ``text``, in any case, on both dialects."""
    return func.lower(column).like(like_pattern(text), escape="\\")


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as UTC everywhere; SQLite returns naive values, so they are made aware on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:  # asyncpg's are UTC already
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, uuid.UUID: Uuid}


class Entity(Base):
    """Every stored entity: a random UUID key and creation/update times."""

    __abstract__ = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


async def take_write_lock(session: AsyncSession, model: type[Entity], *where: ColumnElement[bool]) -> int:
    """Holds the rows matching ``where`` for writing until the transaction ends; answers how many there are.

    For invariants that span rows (one exclusive licence per photo, one checkout per licence): call it on the parent
    row FIRST, before reading what the rule checks. It is a write that changes nothing (``updated_at`` set to itself,
    so neither that time nor an optimistic ``version`` moves, and nobody's copy of the row goes stale). On PostgreSQL
    the row stays locked until commit, so a concurrent caller waits here, and under READ COMMITTED what it reads next
    includes what the holder committed. On SQLite, where ``FOR UPDATE`` does nothing, the first write of a
    transaction takes the database's write lock: concurrent callers wait here (busy timeout) and then read fresh.
    """
    result = await session.execute(
        update(model).where(*where).values(updated_at=model.updated_at).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


K = TypeVar("K")
V = TypeVar("V")


def dialect_insert(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can take ON CONFLICT clauses, in the dialect of the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def grouped(pairs: Iterable[tuple[K, V]], keys: Sequence[K]) -> list[list[V]]:
    """A batch query's (key, value) rows as one list per key, in the order of ``keys``: a loader's answer."""
    by_key: dict[K, list[V]] = {}
    for key, value in pairs:
        by_key.setdefault(key, []).append(value)
    return [by_key.get(key, []) for key in keys]


class UTCPeriod(FunctionElement[str]):
    """The calendar period of a UTC timestamp column as text, for grouping by it in SQL; see UTCDay, UTCMonth."""

    type = String()
    inherit_cache = True
    sqlite_format: ClassVar[str]
    postgresql_format: ClassVar[str]


class UTCDay(UTCPeriod):
    """``YYYY-MM-DD``."""

    inherit_cache = True
    sqlite_format = "%Y-%m-%d"
    postgresql_format = "YYYY-MM-DD"


class UTCMonth(UTCPeriod):
    """``YYYY-MM``."""

    inherit_cache = True
    sqlite_format = "%Y-%m"
    postgresql_format = "YYYY-MM"


@compiles(UTCPeriod, "sqlite")
def _utc_period_sqlite(element: UTCPeriod, compiler: SQLCompiler, **kw: Any) -> str:
    # Timestamps are stored as UTC text ("2026-11-22 21:52:31.000000"), which strftime reads as it is.
    return f"strftime('{element.sqlite_format}', {compiler.process(element.clauses, **kw)})"


@compiles(UTCPeriod, "postgresql")
def _utc_period_postgresql(element: UTCPeriod, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC', '{element.postgresql_format}')"
