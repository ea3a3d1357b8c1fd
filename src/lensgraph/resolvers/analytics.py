"""Dashboards: counting photo views, and the photographer's and the brand's figures over a window of days.

Each figure is one GROUP BY statement, asked for only when its field is: a dashboard costs the same few
statements whether the account has three photos or thirty thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from lensgraph.domain import analytics as rules
from lensgraph.domain.errors import forbidden
from lensgraph.domain.money import Money
from lensgraph.domain.payments import Split
from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.domain.policies import can_publish, can_view_brand_dashboard
from lensgraph.persistence import analytics as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Photo
from lensgraph.resolvers.context import Context


class ViewedPhoto(Protocol):
    """What counting a view reads of a photo: a loaded one, or a compiled read's row."""

    id: UUID
    user_id: UUID
    status: PhotoStatus
    visibility: Visibility


def record_view(ctx: Context, photo: ViewedPhoto) -> None:
    """A single-photo read: counted (in memory, written within seconds) unless its reader owns it or it is
    not everyone's to see."""
    reader_id = ctx.viewer.user_id if ctx.viewer else None
    if rules.counts_as_view(reader_id, photo.user_id, photo.status, photo.visibility):
        ctx.services.views.record(photo.id, rules.utc_day(utcnow()))


@dataclass(frozen=True)
class Scope:
    """Whose dashboard, over which days: checked once, when the dashboard field is resolved."""

    user_id: UUID
    window: rules.Window


def photographer_scope(ctx: Context, first: date, last: date) -> Scope:
    viewer = ctx.require_viewer()
    if not can_publish(viewer):
        raise forbidden("Only photographers and studios have a photographer dashboard.")
    return Scope(viewer.user_id, rules.window(first, last))


def brand_scope(ctx: Context, first: date, last: date) -> Scope:
    viewer = ctx.require_viewer()
    if not can_view_brand_dashboard(viewer):
        raise forbidden("Only brands have a brand dashboard.")
    return Scope(viewer.user_id, rules.window(first, last))


# The photographer's dashboard ---------------------------------------------------------------------


async def views(ctx: Context, scope: Scope) -> rules.ViewTotals:
    async with ctx.db.session() as session:
        counts = await queries.daily_views(session, scope.user_id, scope.window)
    return rules.view_totals(scope.window, counts)


async def licenses_by_status(ctx: Context, scope: Scope) -> list[rules.StatusCount]:
    async with ctx.db.session() as session:
        counts = await queries.licenses_by_status(session, scope.user_id, scope.window)
    return rules.by_status(counts)


async def earnings(ctx: Context, scope: Scope) -> list[Split]:
    async with ctx.db.session() as session:
        sums = await queries.earnings(session, scope.user_id, scope.window)
    return rules.earnings(sums)


@dataclass(frozen=True)
class TopPhoto:
    photo: Photo
    views: int
    offers: int
    licenses: int


async def top_photos(ctx: Context, scope: Scope, first: int | None) -> list[TopPhoto]:
    """The most viewed photos of the window with their offers; photos come through the request's photo loader."""
    limit = rules.top_count(first)
    async with ctx.db.session() as session:
        ranked = await queries.top_photos(session, scope.user_id, scope.window, limit)
    photos = await ctx.loaders.photo.load_many([photo_id for photo_id, *_ in ranked])
    # A photo deleted since it was ranked is left out.
    return [
        TopPhoto(photo, views, offers, licensed)
        for photo, (_, views, offers, licensed) in zip(photos, ranked, strict=True)
        if photo is not None
    ]


# The brand's dashboard ----------------------------------------------------------------------------


async def offers(ctx: Context, scope: Scope) -> rules.Tally:
    async with ctx.db.session() as session:
        rows = await queries.offers_made(session, scope.user_id, scope.window)
    return rules.tally(scope.window, rows)


async def active_licenses(ctx: Context, scope: Scope) -> int:
    async with ctx.db.session() as session:
        return await queries.licenses_in_force(session, scope.user_id, utcnow())


async def spending(ctx: Context, scope: Scope) -> list[Money]:
    async with ctx.db.session() as session:
        sums = await queries.spending(session, scope.user_id, scope.window)
    return rules.amounts(sums)
