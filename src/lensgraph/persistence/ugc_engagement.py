"""Storefront engagement with user-generated content: the upserts that add counted hits to the daily totals (and
to each content's popularity), and the reads of those totals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast
from uuid import UUID

from sqlalchemy import BigInteger, Date, Table, Uuid, bindparam, column, exists, func, select, update, values
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.ugc_engagement import Totals
from lensgraph.persistence.analytics import ROWS_PER_UPSERT
from lensgraph.persistence.base import dialect_insert
from lensgraph.persistence.models import Content, ContentEngagementDay, Product, ProductEngagementDay

EngagementTable = type[ContentEngagementDay] | type[ProductEngagementDay]
_TABLES: dict[str, tuple[EngagementTable, str, type[Content] | type[Product]]] = {
    "content": (ContentEngagementDay, "content_id", Content),
    "product": (ProductEngagementDay, "product_id", Product),
}
MEASURES = ("impressions", "clicks", "add_to_cart")
# A record and the first and last day of a report on it.
Window = tuple[UUID, date, date]


async def add_engagement(session: AsyncSession, of: str, counts: Mapping[tuple[UUID, date], Totals]) -> None:
    """Adds each (record, day)'s totals to its row, creating it if needed, in one statement per
    ``ROWS_PER_UPSERT``; records deleted meanwhile (or never there: a beacon's ids are unchecked) are skipped."""
    table, key_name, parent = _TABLES[of]
    rows = sorted(
        (key, day, totals.impressions, totals.clicks, totals.add_to_cart) for (key, day), totals in counts.items()
    )
    for start in range(0, len(rows), ROWS_PER_UPSERT):
        counted = (
            values(
                column("key", Uuid),
                column("day", Date),
                *(column(name, BigInteger) for name in MEASURES),
                name="counted",
            )
            .data(rows[start : start + ROWS_PER_UPSERT])
            .cte("counted")
        )
        existing = (
            select(counted.c.key, counted.c.day, *(counted.c[name] for name in MEASURES))
            .where(exists().where(parent.id == counted.c.key))
            # In key order: two API nodes adding to the same rows lock them in the same order, never deadlock.
            .order_by(counted.c.key, counted.c.day)
        )
        statement = dialect_insert(session, table).from_select([key_name, "day", *MEASURES], existing)
        excluded = statement.excluded
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[getattr(table, key_name), table.day],
                set_={name: getattr(table, name) + excluded[name] for name in MEASURES},
            )
        )


async def add_popularity(session: AsyncSession, added: Mapping[UUID, int]) -> None:
    """Adds to each content's popularity in the UPDATE itself (concurrent flushes both count), in id order."""
    if not added:
        return
    # Core, not ORM: an executemany of one UPDATE with the content's id and the amount as parameters.
    table = cast(Table, Content.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("content_id"))
        .values(popularity=table.c.popularity + bindparam("added"))
    )
    connection = await session.connection()
    await connection.execute(statement, [{"content_id": key, "added": amount} for key, amount in sorted(added.items())])


def _totals(row: Any) -> Totals:
    return Totals(int(row.impressions or 0), int(row.clicks or 0), int(row.add_to_cart or 0))


def _sums(table: EngagementTable) -> list[Any]:
    return [func.sum(getattr(table, name)).label(name) for name in MEASURES]


async def album_engagement(session: AsyncSession, album_id: UUID, first: date, last: date) -> dict[date, Totals]:
    """The album's content's engagement per day of the window, in one GROUP BY; days without any are absent."""
    rows = await session.execute(
        select(ContentEngagementDay.day, *_sums(ContentEngagementDay))
        .join(Content, Content.id == ContentEngagementDay.content_id)
        .where(Content.album_id == album_id, ContentEngagementDay.day >= first, ContentEngagementDay.day <= last)
        .group_by(ContentEngagementDay.day)
    )
    return {row.day: _totals(row) for row in rows}


async def engagement_of(
    session: AsyncSession, of: str, keys: Sequence[tuple[UUID, date, date]]
) -> list[dict[date, Totals]]:
    """Per (record, first day, last day): its daily totals in the window. A loader's batch: one statement per
    distinct window (a list of media asks for one)."""
    table, key_name, _ = _TABLES[of]
    key_column = getattr(table, key_name)
    found: dict[tuple[UUID, date, date], dict[date, Totals]] = {}
    for first, last in {(first, last) for _, first, last in keys}:
        ids = {key for key, start, end in keys if (start, end) == (first, last)}
        rows = await session.execute(
            select(key_column.label("key"), table.day, *(getattr(table, name) for name in MEASURES)).where(
                key_column.in_(ids), table.day >= first, table.day <= last
            )
        )
        for row in rows:
            found.setdefault((row.key, first, last), {})[row.day] = _totals(row)
    return [found.get(key, {}) for key in keys]


async def content_engagement(
    session: AsyncSession, keys: Sequence[tuple[UUID, date, date]]
) -> list[dict[date, Totals]]:
    return await engagement_of(session, "content", keys)


async def product_engagement(
    session: AsyncSession, keys: Sequence[tuple[UUID, date, date]]
) -> list[dict[date, Totals]]:
    return await engagement_of(session, "product", keys)
