"""What a studio learns of its gallery's clients: daily figures, and a live feed of their activity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from lensgraph.domain import analytics as analytics_rules
from lensgraph.domain import proofing as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import GalleryDownloaded, GalleryFavorited, GalleryValidated, GalleryViewed
from lensgraph.domain.policies import owns
from lensgraph.jobs.relay import event_channel
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Gallery
from lensgraph.persistence.proofing import GalleryWindowKey
from lensgraph.resolvers import live
from lensgraph.resolvers.context import Context

# What the live feed follows (one kind each). gallery.downloaded is published once downloads emit it.
ACTIVITY_EVENTS = (GalleryViewed, GalleryFavorited, GalleryValidated, GalleryDownloaded)


async def figures(ctx: Context, gallery: Gallery, first: date, last: date) -> rules.GalleryFigures:
    """The owning studio's daily figures over whole UTC days, both ends included (at most a year)."""
    if not owns(ctx.viewer, gallery.user_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such gallery of yours.", ["id"])
    chosen = analytics_rules.window(first, last)
    counts = await ctx.loaders.gallery_day_counts.load(GalleryWindowKey(gallery.id, chosen))
    return rules.gallery_figures(
        chosen, counts.views, counts.favorites, counts.selections, counts.unique_visitors, counts.downloads
    )


@dataclass(frozen=True)
class Activity:
    """One thing a client did in the gallery, as its event told it."""

    kind: rules.GalleryActivityKind
    gallery: Gallery
    occurred_at: datetime
    client_email: str | None
    list_name: str | None
    photo_id: UUID | None


def _activity(gallery: Gallery, message: dict[str, Any]) -> Activity:
    data = message.get("data") or {}
    photo = data.get("photoId")
    return Activity(
        kind=rules.GalleryActivityKind(message.get("type")),
        gallery=gallery,
        occurred_at=utcnow(),
        client_email=data.get("clientEmail"),
        list_name=data.get("listName"),
        photo_id=UUID(photo) if photo else None,
    )


async def activity(ctx: Context, gallery_id: UUID) -> AsyncIterator[Activity]:
    """Its clients' views, favourites, validations and downloads as they happen; for the owning studio only,
    checked when subscribing and again on every event (a gallery deleted or changing hands ends the feed)."""
    viewer = ctx.require_viewer()

    async def owned() -> Gallery:
        async with ctx.db.session() as session:
            row = await session.get(Gallery, gallery_id)
        if row is None or not owns(viewer, row.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such gallery of yours.", ["galleryId"])
        return row

    await owned()
    channels = [event_channel(kind.type) for kind in ACTIVITY_EVENTS]
    async for message in live.messages(ctx, viewer, *channels):
        if (message.get("data") or {}).get("galleryId") == str(gallery_id):
            yield _activity(await owned(), message)
