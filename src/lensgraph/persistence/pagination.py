"""Keyset pagination over (sort key, id): no offset scans, stable under inserts."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import ColumnElement, Integer, ScalarSelect, Select, bindparam, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.moments import utc_moment
from lensgraph.domain.pagination import PageRequest, encode_cursor
from lensgraph.persistence.db import SessionSource
from lensgraph.persistence.prepared import PreparedStatements

T = TypeVar("T")
# A column of the listed model, or an expression computed in the same query (labelled).
SortKey = InstrumentedAttribute[Any] | ColumnElement[Any]


class Cursors(Sequence[str]):
    """The cursors of a page's rows, each encoded when it is read: most pages are never asked for theirs."""

    def __init__(self, keys: list[Sequence[Any]]) -> None:
        self._keys = keys

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [_cursor(key) for key in self._keys[index]]
        return _cursor(self._keys[index])


def _cursor(key: Sequence[Any]) -> str:
    return encode_cursor(tuple(_to_json(value) for value in key))


@dataclass
class Page(Generic[T]):
    rows: list[T]
    cursors: Sequence[str]
    has_next_page: bool
    has_previous_page: bool
    count: Callable[[], Awaitable[int]]


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _from_json(column: SortKey, value: Any, field: str) -> Any:
    try:
        python_type = column.type.python_type
        if python_type is datetime:
            return utc_moment(datetime.fromisoformat(value))
        if python_type is uuid.UUID:
            return uuid.UUID(value)
        return python_type(value)
    except (TypeError, ValueError, NotImplementedError) as exc:
        raise DomainError(ErrorCode.INVALID_INPUT, "This cursor is not valid.", [field]) from exc


async def paginate(
    db: SessionSource,
    query: Select[T] | Callable[[], Select[T]],
    keys: Sequence[SortKey],
    page: PageRequest,
    *,
    descending: bool,
    columns: Sequence[ColumnElement[Any]] = (),
    count_inline: bool = False,
    prepared: tuple[PreparedStatements, Hashable] | None = None,
    cursor_tag: Sequence[Any] = (),
) -> Page[T]:
    """One statement for the rows; ``count`` runs a second only when totalCount is asked for. Sessions come from
    ``db``: a query operation's shared read session (``ctx.reads``), or one each.

    With ``columns`` the rows are plain rows of those columns (then the sort keys) instead of the query's
    entities: the compiled read path reads only what the operation asks. ``count_inline`` selects the total
    beside every row, so a page and its totalCount are one statement. ``prepared`` (a plan's statements and what
    identifies ``query`` among them) keeps the statement of each shape of page made once, its cursor and size
    bound per request. ``cursor_tag`` leads every cursor (such as the order the keys belong to): a cursor made
    under another tag is refused, never read as keys of another order. ``query`` may be given as the function
    that builds it: with ``prepared``, it is built only for a shape not prepared yet.
    """
    cursor_field = "before" if page.backward else "after"
    if cursor_tag and page.cursor is not None:
        if tuple(page.cursor[: len(cursor_tag)]) != tuple(cursor_tag):
            raise DomainError(ErrorCode.INVALID_INPUT, "This cursor belongs to another order.", [cursor_field])
        page = replace(page, cursor=page.cursor[len(cursor_tag) :])
    if page.cursor is not None and len(page.cursor) != len(keys):
        raise DomainError(ErrorCode.INVALID_INPUT, "This cursor is not valid.", [cursor_field])
    values = (
        [_from_json(key, value, cursor_field) for key, value in zip(keys, page.cursor, strict=True)]
        if page.cursor is not None
        else []
    )
    forward_descending = descending != page.backward

    def built() -> Select[T]:
        return query() if callable(query) else query

    def statement(bound: Sequence[Any], limit: Any) -> Select[Any]:
        ordered = built().order_by(*[key.desc() if forward_descending else key.asc() for key in keys])
        if bound:
            row_key: ColumnElement[Any] = tuple_(*keys)
            ordered = ordered.where(row_key < tuple_(*bound) if forward_descending else row_key > tuple_(*bound))
        if columns:
            ordered = ordered.with_only_columns(*columns)
        # The keys are selected beside each row, so a computed key (a search rank) makes cursors as a column does.
        selected = [*keys, total().label("total_count")] if count_inline else keys
        return ordered.add_columns(*selected).limit(limit)

    def total() -> ScalarSelect[int]:
        return select(func.count()).select_from(built().order_by(None).subquery()).scalar_subquery()

    key_columns = slice(-len(keys) - count_inline, -1 if count_inline else None)
    if prepared is not None and columns:
        statements, identity = prepared
        shape = (identity, page.backward, bool(values))
        parameters = {f"key_{index}": value for index, value in enumerate(values)} | {"size": page.limit + 1}
        bound = [bindparam(f"key_{index}", type_=keys[index].type) for index in range(len(values))]
        fetched: list[Any] = await statements.rows(
            db, shape, lambda: statement(bound, bindparam("size", type_=Integer())), parameters
        )
    elif columns:
        async with db.connection() as connection:
            fetched = list((await connection.execute(statement(values, page.limit + 1))).all())
    else:
        async with db.session() as session:
            fetched = list((await session.execute(statement(values, page.limit + 1))).all())
    has_more = len(fetched) > page.limit
    fetched = fetched[: page.limit]
    if page.backward:
        fetched.reverse()
    rows: list[T] = list(fetched) if columns else [row[0] for row in fetched]
    cursors = Cursors([(*cursor_tag, *row[key_columns]) for row in fetched])

    async def count() -> int:
        if count_inline and fetched:
            return int(fetched[0][-1])
        async with db.session() as session:
            found = await session.scalar(select(total()))
        return int(found or 0)

    return Page(
        rows=rows,
        cursors=cursors,
        has_next_page=has_more if not page.backward else page.cursor is not None,
        has_previous_page=has_more if page.backward else page.cursor is not None,
        count=count,
    )
