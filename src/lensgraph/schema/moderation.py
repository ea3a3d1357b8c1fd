"""What administrators review. Later issues add reported content and submissions here."""

from __future__ import annotations

import strawberry
from strawberry import Info

from lensgraph.domain.pagination import page_request
from lensgraph.resolvers import photos
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import Connection
from lensgraph.schema.photos import Photo


@strawberry.type
class ModerationQueries:
    @strawberry.field(description="Photos flagged as near-identical to another user's, newest first. Admins only.")
    async def possible_duplicate_photos(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Photo]:
        page = await photos.list_possible_duplicates(info.context, page_request(first, after, last, before))
        return Connection[Photo].from_page(page, Photo.from_row)
