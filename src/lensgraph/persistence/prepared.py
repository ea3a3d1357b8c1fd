"""Statements made once and run through the driver: the compiled read path's statements of one shape each.

Building a statement, keying SQLAlchemy's cache with it and wrapping its rows cost more than the round trip of a
small read. A ``Prepared`` statement is compiled once, its parameters bound per run. On PostgreSQL its SQL goes
to the driver as it is (``exec_driver_sql``: no statement to build, key or compile, and SQLAlchemy's events
still see it, for traces and statement counts), its values turned into what SQLAlchemy would have answered by
the same type processors. Elsewhere it runs through SQLAlchemy, from its cache.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

# Shapes kept per plan: a shape is the query's own (its filter and order) with a page's direction and whether it
# has a cursor.
SHAPES_KEPT = 64


class Prepared:
    """One statement, compiled for PostgreSQL once."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        self.statement = statement
        self.compiled = statement.compile(dialect=dialect)
        self.sql = str(self.compiled)
        self.positions: list[str] = list(self.compiled.positiontup or [])
        self.binds: dict[str, Callable[[Any], Any] | None] = {
            name: self.compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in set(self.positions)
        }
        self.results: list[Callable[[Any], Any] | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in statement.selected_columns
        ]
        # Rows read by position and, where a column's name is unique, by name, as SQLAlchemy's rows are.
        row_type: Any = namedtuple("PreparedRow", list(statement.selected_columns.keys()), rename=True)  # type: ignore[misc]
        self.row: Callable[[Any], tuple[Any, ...]] = row_type._make

    async def rows(self, connection: AsyncConnection, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        make = self.row
        if connection.dialect.name != "postgresql":
            return [make(row) for row in (await connection.execute(self.statement, dict(parameters))).all()]
        values = self.compiled.construct_params(dict(parameters))
        arguments = []
        for name in self.positions:
            process = self.binds[name]
            arguments.append(process(values[name]) if process else values[name])
        records = (await connection.exec_driver_sql(self.sql, tuple(arguments))).all()
        processors = self.results
        return [
            make(process(value) if process else value for process, value in zip(processors, record, strict=True))
            for record in records
        ]


class PreparedStatements:
    """A plan's statements by shape, made on first use (least recently used dropped past ``SHAPES_KEPT``)."""

    def __init__(self) -> None:
        self._made: OrderedDict[Hashable, Prepared] = OrderedDict()

    async def rows(
        self,
        connection: AsyncConnection,
        shape: Hashable,
        build: Callable[[], Select[Any]],
        parameters: Mapping[str, Any],
    ) -> list[tuple[Any, ...]]:
        """The rows of the statement of ``shape`` (``build`` makes it, its values as named bind parameters)."""
        made = self.get(shape) or self.keep(shape, build(), connection.dialect)
        return await made.rows(connection, parameters)

    def get(self, shape: Hashable) -> Prepared | None:
        found = self._made.get(shape)
        if found is not None:
            self._made.move_to_end(shape)
        return found

    def keep(self, shape: Hashable, statement: Select[Any], dialect: Dialect) -> Prepared:
        made = self._made[shape] = Prepared(statement, dialect)
        while len(self._made) > SHAPES_KEPT:
            self._made.popitem(last=False)
        return made
