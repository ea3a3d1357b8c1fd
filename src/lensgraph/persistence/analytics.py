"""Queries for the dashboards, each one GROUP BY statement, and the upsert that adds counted views (of photos and
of shared verification reports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, Date, Insert, Uuid, and_, column, exists, func, select, values
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.analytics import EarningSum, Viewed, Window
from lensgraph.domain.licensing import LicenseStatus
from lensgraph.domain.money import Currency
from lensgraph.domain.payments import PaymentStatus
from lensgraph.persistence.base import UTCDay, dialect_insert
from lensgraph.persistence.models import (
    Earning,
    License,
    Payment,
    Photo,
    PhotoViewDay,
    Verification,
    VerificationViewDay,
)
from lensgraph.persistence.payments import in_force

# Three parameters per row: far below SQLite's 32,766 and asyncpg's 32,767, however many photos a flush holds.
ROWS_PER_UPSERT = 5000


def _within(moment: Any, chosen: Window) -> Any:
    """A timestamp column inside the window's whole UTC days."""
    return and_(moment >= chosen.starts_at, moment < chosen.ends_before)


# Recording views ----------------------------------------------------------------------------------


# Per kind of thing viewed: the daily-totals table, its key column, and the table the key must still name.
_VIEW_TABLES: dict[
    Viewed, tuple[type[PhotoViewDay] | type[VerificationViewDay], str, type[Photo] | type[Verification]]
] = {
    Viewed.PHOTO: (PhotoViewDay, "photo_id", Photo),
    Viewed.VERIFICATION: (VerificationViewDay, "verification_id", Verification),
}


def _upsert(session: AsyncSession, kind: Viewed, rows: list[tuple[UUID, date, int]]) -> Insert:
    """Adds each (key, day, views) to its row, creating it if needed; records deleted meanwhile are skipped."""
    table, key_name, parent = _VIEW_TABLES[kind]
    counted = (
        values(column("key", Uuid), column("day", Date), column("views", BigInteger), name="counted")
        .data(rows)
        .cte("counted")
    )
    existing = (
        select(counted.c.key, counted.c.day, counted.c.views)
        .where(exists().where(parent.id == counted.c.key))
        # Rows in key order: two API nodes adding to the same rows lock them in the same order, never deadlock.
        .order_by(counted.c.key, counted.c.day)
    )
    statement = dialect_insert(session, table).from_select([key_name, "day", "views"], existing)
    key_column = getattr(table, key_name)
    return statement.on_conflict_do_update(
        index_elements=[key_column, table.day],
        set_={"views": table.views + statement.excluded.views},
    )


async def add_views(session: AsyncSession, kind: Viewed, counts: Mapping[tuple[UUID, date], int]) -> None:
    """One statement (per ``ROWS_PER_UPSERT`` record-days): views add up whichever API node counted them."""
    rows = sorted((key, day, views) for (key, day), views in counts.items())
    for start in range(0, len(rows), ROWS_PER_UPSERT):
        await session.execute(_upsert(session, kind, rows[start : start + ROWS_PER_UPSERT]))


async def daily_verification_views(session: AsyncSession, keys: Sequence[tuple[UUID, Window]]) -> list[dict[date, int]]:
    """Per (report, window): its views per day of the window, days without views absent. A loader's batch: one
    statement per distinct window (a list of reports asks for one)."""
    found: dict[tuple[UUID, Window], dict[date, int]] = {}
    for chosen in {chosen for _, chosen in keys}:
        ids = {verification_id for verification_id, window in keys if window == chosen}
        rows = await session.execute(
            select(VerificationViewDay.verification_id, VerificationViewDay.day, VerificationViewDay.views).where(
                VerificationViewDay.verification_id.in_(ids),
                VerificationViewDay.day >= chosen.first,
                VerificationViewDay.day <= chosen.last,
            )
        )
        for verification_id, day, views in rows:
            found.setdefault((verification_id, chosen), {})[day] = int(views)
    return [found.get(key, {}) for key in keys]


# The photographer's dashboard ---------------------------------------------------------------------


def _views_of(owner_id: UUID, chosen: Window) -> Any:
    return and_(
        PhotoViewDay.photo_id == Photo.id,
        Photo.user_id == owner_id,
        PhotoViewDay.day >= chosen.first,
        PhotoViewDay.day <= chosen.last,
    )


async def daily_views(session: AsyncSession, owner_id: UUID, chosen: Window) -> dict[date, int]:
    """Views of all the owner's photos per day of the window; days without views are absent."""
    rows = await session.execute(
        select(PhotoViewDay.day, func.sum(PhotoViewDay.views))
        .where(_views_of(owner_id, chosen))
        .group_by(PhotoViewDay.day)
    )
    return {day: int(views) for day, views in rows}


async def top_photos(
    session: AsyncSession, owner_id: UUID, chosen: Window, limit: int
) -> list[tuple[UUID, int, int, int]]:
    """The owner's most viewed photos in the window: (photo, views, offers made, offers paid for), most viewed
    first (ties: by id). Offers count those made in the window; photos without views are not ranked."""
    views = func.sum(PhotoViewDay.views).label("views")
    ranked = (
        select(PhotoViewDay.photo_id, views)
        .where(_views_of(owner_id, chosen))
        .group_by(PhotoViewDay.photo_id)
        .order_by(views.desc(), PhotoViewDay.photo_id)
        .limit(limit)
        .subquery("ranked")
    )
    on_photo = and_(License.photo_id == ranked.c.photo_id, _within(License.created_at, chosen))
    offers = select(func.count()).where(on_photo).scalar_subquery()
    licensed = select(func.count()).where(on_photo, License.starts_at.is_not(None)).scalar_subquery()
    rows = await session.execute(
        select(ranked.c.photo_id, ranked.c.views, offers, licensed).order_by(ranked.c.views.desc(), ranked.c.photo_id)
    )
    return [(photo_id, int(count), int(made), int(paid)) for photo_id, count, made, paid in rows]


async def licenses_by_status(session: AsyncSession, photographer_id: UUID, chosen: Window) -> dict[LicenseStatus, int]:
    """Licenses on the photographer's photos whose offer was made in the window, per status."""
    rows = await session.execute(
        select(License.status, func.count())
        .where(License.photographer_id == photographer_id, _within(License.created_at, chosen))
        .group_by(License.status)
    )
    return {status: int(count) for status, count in rows}


async def earnings(session: AsyncSession, photographer_id: UUID, chosen: Window) -> list[EarningSum]:
    """The photographer's earnings recorded in the window, summed per currency."""
    rows = await session.execute(
        select(Earning.currency, func.sum(Earning.gross), func.sum(Earning.fee), func.sum(Earning.net))
        .where(Earning.photographer_id == photographer_id, _within(Earning.created_at, chosen))
        .group_by(Earning.currency)
    )
    return [EarningSum(currency, int(gross), int(fee), int(net)) for currency, gross, fee, net in rows]


# The brand's dashboard ----------------------------------------------------------------------------


async def offers_made(session: AsyncSession, brand_id: UUID, chosen: Window) -> list[tuple[LicenseStatus, date, int]]:
    """The brand's offers made in the window, counted per status as they are now and per UTC day made."""
    day = UTCDay(License.created_at)
    rows = await session.execute(
        select(License.status, day, func.count())
        .where(License.brand_id == brand_id, _within(License.created_at, chosen))
        .group_by(License.status, day)
    )
    return [(status, date.fromisoformat(made_on), int(count)) for status, made_on, count in rows]


async def licenses_in_force(session: AsyncSession, brand_id: UUID, now: datetime) -> int:
    """How many of the brand's licenses are paid for and not ended at ``now``."""
    count = await session.scalar(select(func.count()).where(License.brand_id == brand_id, in_force(now)))
    return int(count or 0)


async def spending(session: AsyncSession, brand_id: UUID, chosen: Window) -> list[tuple[Currency, int]]:
    """What the brand paid in the window and kept paid (payments that succeeded, by when they were paid, less what
    was refunded of them in part; fully refunded ones are REFUNDED), per currency."""
    rows = await session.execute(
        select(Payment.currency, func.sum(Payment.amount - Payment.refunded_amount))
        .where(
            Payment.brand_id == brand_id,
            Payment.status == PaymentStatus.SUCCEEDED,
            _within(Payment.paid_at, chosen),
        )
        .group_by(Payment.currency)
    )
    return [(currency, int(amount)) for currency, amount in rows]
