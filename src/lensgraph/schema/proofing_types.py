"""Proofing as the studio reads it: each client's selections and comments, and a gallery's daily figures."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import proofing as rules
from lensgraph.persistence.models import GalleryComment as GalleryCommentRow
from lensgraph.persistence.models import GallerySelection as GallerySelectionRow
from lensgraph.resolvers import proofing
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import Node, node_type, to_global_id
from lensgraph.schema.photos import Photo

SelectionStatus = strawberry.enum(
    rules.SelectionStatus, description="OPEN: the client is picking. SUBMITTED: sent to the studio, frozen."
)


@node_type
@strawberry.type(description="A client's comment on a photo of the gallery.")
class GalleryComment(Node):
    _row: strawberry.Private[GalleryCommentRow]
    client_email: str
    photo_id: strawberry.ID
    body: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: GalleryCommentRow) -> GalleryComment:
        return cls(
            _row=row,
            id=to_global_id("GalleryComment", row.id),
            client_email=row.client_email,
            photo_id=to_global_id("Photo", row.photo_id),
            body=row.body,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> GalleryComment | None:
        row = await proofing.comment_by_id(info.context, key)
        return cls.from_row(row) if row else None


@node_type
@strawberry.type(description="One client's named list of favourites in the gallery, as its studio sees it.")
class GallerySelection(Node):
    _row: strawberry.Private[GallerySelectionRow]
    client_email: str = strawberry.field(description="The email the client unlocked the gallery with.")
    list_name: str = strawberry.field(name="list")
    status: SelectionStatus  # type: ignore[valid-type]
    note: str = strawberry.field(description="What the client wrote when submitting.")
    submitted_at: datetime | None

    @classmethod
    def from_row(cls, row: GallerySelectionRow) -> GallerySelection:
        return cls(
            _row=row,
            id=to_global_id("GallerySelection", row.id),
            client_email=row.client_email,
            list_name=row.list_name,
            status=row.status,
            note=row.note,
            submitted_at=row.submitted_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> GallerySelection | None:
        row = await proofing.selection_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def photo_count(self, info: Info[Context, None]) -> int:
        return len(await proofing.picked_photo_ids(info.context, self._row))

    @strawberry.field(description="The photos picked, in the order the client picked them.")
    async def photos(self, info: Info[Context, None]) -> list[Photo]:
        ids = await proofing.picked_photo_ids(info.context, self._row)
        rows = await info.context.loaders.photo.load_many(ids)
        return [Photo.from_row(row) for row in rows if row is not None]

    @strawberry.field(description="The client's comments on the gallery's photos, oldest first.")
    async def comments(self, info: Info[Context, None]) -> list[GalleryComment]:
        return [GalleryComment.from_row(row) for row in await proofing.comments_of(info.context, self._row)]


@strawberry.type(description="One UTC day of a gallery.")
class GalleryDay:
    day: date
    views: int = strawberry.field(description="Visitors that day: each counts once a day.")
    favorites: int = strawberry.field(description="Photos picked that day (and still picked).")
    selections: int = strawberry.field(description="Selections submitted that day (and not reopened since).")
    downloads: int = strawberry.field(description="Downloads whose zip was streamed to its end that day.")

    @classmethod
    def from_domain(cls, item: rules.GalleryDay) -> GalleryDay:
        return cls(
            day=item.day,
            views=item.views,
            favorites=item.favorites,
            selections=item.selections,
            downloads=item.downloads,
        )


@strawberry.type(description="A gallery's figures over whole UTC days, every day of the window included.")
class GalleryAnalytics:
    days: list[GalleryDay]
    views: int
    unique_visitors: int = strawberry.field(description="Distinct visitors over the whole window.")
    favorites: int
    selections: int
    downloads: int

    @classmethod
    def from_domain(cls, figures: rules.GalleryFigures) -> GalleryAnalytics:
        return cls(
            days=[GalleryDay.from_domain(item) for item in figures.days],
            views=figures.views,
            unique_visitors=figures.unique_visitors,
            favorites=figures.favorites,
            selections=figures.selections,
            downloads=figures.downloads,
        )
