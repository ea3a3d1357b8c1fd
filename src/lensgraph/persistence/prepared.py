"""Statements made once and run through the driver: the compiled read path's statements of one shape each, and
writes that are a transaction by themselves.

Building a statement, keying SQLAlchemy's cache with it and wrapping its rows cost more than the round trip of a
small read. A ``Prepared`` statement is compiled once, its parameters bound per run. On PostgreSQL its SQL goes
to the driver as it is (``SessionSource.fetch``: no statement to build, key or compile), its values turned into
what SQLAlchemy would have answered by the same type processors. Elsewhere it runs through SQLAlchemy, from its
cache.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sqlalchemy import Insert, Select
from sqlalchemy.engine import Dialect

from lensgraph.persistence.db import Database, SessionSource

# Shapes kept per plan: a shape is the query's own (its filter and order) with a page's direction and whether it
# has a cursor.
SHAPES_KEPT = 64


class Prepared:
    """One statement, compiled for PostgreSQL once: a read (``rows``) or a write alone (``write``)."""

    def __init__(self, statement: Select[Any] | Insert, dialect: Dialect) -> None:
        self.statement = statement
        self.compiled = statement.compile(dialect=dialect)
        self.sql = str(self.compiled)
        self.positions: list[str] = list(self.compiled.positiontup or [])
        self.binds: dict[str, Callable[[Any], Any] | None] = {
            name: self.compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in set(self.positions)
        }
        # A write selects nothing: its rows are empty.
        selected = statement.selected_columns if isinstance(statement, Select) else None
        columns, names = (list(selected), list(selected.keys())) if selected is not None else ([], [])
        # The columns whose values SQLAlchemy turns into something else (enums, JSON types), by position.
        self.results: list[tuple[int, Callable[[Any], Any]]] = [
            (position, process)
            for position, column in enumerate(columns)
            if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        ]
        # Rows read by position and, where a column's name is unique, by name, as SQLAlchemy's rows are.
        row_type: Any = namedtuple("PreparedRow", names, rename=True)  # type: ignore[misc]
        self.row: Callable[[Any], tuple[Any, ...]] = row_type._make

    async def rows(self, source: SessionSource, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        make = self.row
        if source.sql_dialect.name != "postgresql":
            async with source.connection() as connection:
                return [make(row) for row in (await connection.execute(self.statement, dict(parameters))).all()]
        records = await source.fetch(self.sql, self._arguments(parameters))
        processed = self.results
        rows = []
        for record in records:
            values = list(record)
            for position, process in processed:
                values[position] = process(values[position])
            rows.append(make(values))
        return rows

    async def write(self, db: Database, parameters: Mapping[str, Any]) -> None:
        """The write as a transaction of its own: on PostgreSQL one round trip through the driver, elsewhere (and
        where SQLAlchemy must see the statement) a unit of work. A constraint refusal is ``ConstraintViolation``."""
        if db.statements_go_to_the_driver():
            await db.write_alone(self.sql, self._arguments(parameters))
            return
        async with db.unit_of_work() as uow:
            await uow.session.execute(self.statement, dict(parameters))

    def _arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        """The values in the statement's order, as SQLAlchemy would have bound them."""
        bound = self.compiled.construct_params(dict(parameters))
        arguments = []
        for name in self.positions:
            bind = self.binds[name]
            arguments.append(bind(bound[name]) if bind else bound[name])
        return arguments


class PreparedStatements:
    """A plan's statements by shape, made on first use (least recently used dropped past ``SHAPES_KEPT``)."""

    def __init__(self) -> None:
        self._made: OrderedDict[Hashable, Prepared] = OrderedDict()

    async def rows(
        self,
        source: SessionSource,
        shape: Hashable,
        build: Callable[[], Select[Any]],
        parameters: Mapping[str, Any],
    ) -> list[tuple[Any, ...]]:
        """The rows of the statement of ``shape`` (``build`` makes it, its values as named bind parameters)."""
        made = self.get(shape) or self.keep(shape, build(), source.sql_dialect)
        return await made.rows(source, parameters)

    async def write(
        self, db: Database, shape: Hashable, build: Callable[[], Insert], parameters: Mapping[str, Any]
    ) -> None:
        """The write of ``shape`` as a transaction of its own (``Prepared.write``); made once per dialect."""
        key = (shape, db.sql_dialect.name)
        made = self.get(key) or self.keep(key, build(), db.sql_dialect)
        await made.write(db, parameters)

    def get(self, shape: Hashable) -> Prepared | None:
        found = self._made.get(shape)
        if found is not None:
            self._made.move_to_end(shape)
        return found

    def keep(self, shape: Hashable, statement: Select[Any] | Insert, dialect: Dialect) -> Prepared:
        made = self._made[shape] = Prepared(statement, dialect)
        while len(self._made) > SHAPES_KEPT:
            self._made.popitem(last=False)
        return made
