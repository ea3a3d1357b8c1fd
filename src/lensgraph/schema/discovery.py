"""Public discovery: the root ``photos`` list and ``searchPhotos``, open to anonymous callers."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import Info

from lensgraph.domain import discovery as rules
from lensgraph.domain.pagination import page_request
from lensgraph.domain.photos import COLOR_NAMES
from lensgraph.resolvers import discovery
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import Connection
from lensgraph.schema.photos import Orientation, Photo, PhotoCategory

PhotoOrder = strawberry.enum(rules.PhotoOrder, description="NEWEST: latest uploads first. POPULAR: most saved first.")


@strawberry.input(description="Conditions a photo must all meet; leave a field out to not filter on it.")
class PhotoFilter:
    keyword: str | None = strawberry.field(
        default=None, description="One of the photo's keywords or inferred keywords, exactly (case-insensitive)."
    )
    category: PhotoCategory | None = None  # type: ignore[valid-type]
    orientation: Orientation | None = None  # type: ignore[valid-type]
    color: str | None = strawberry.field(
        default=None,
        description="A dominant colour: " + ", ".join(named.name for named in COLOR_NAMES) + ".",
    )
    photographer: str | None = strawberry.field(default=None, description="The photographer's username.")
    min_width: int | None = strawberry.field(default=None, description="At least this many pixels wide.")
    has_release: bool | None = strawberry.field(
        default=None, description="true: covered by at least one model or property release; false: by none."
    )
    captured_after: datetime | None = strawberry.field(default=None, description="Taken at or after (inclusive).")
    captured_before: datetime | None = strawberry.field(default=None, description="Taken before (exclusive).")

    def to_domain(self) -> rules.PhotoFilter:
        return rules.PhotoFilter(
            keyword=self.keyword,
            category=self.category,
            orientation=self.orientation,
            color=self.color,
            photographer=self.photographer,
            min_width=self.min_width,
            has_release=self.has_release,
            captured_after=self.captured_after,
            captured_before=self.captured_before,
        )


def _domain_filter(given: PhotoFilter | None) -> rules.PhotoFilter:
    return given.to_domain() if given is not None else rules.PhotoFilter()


@strawberry.type
class DiscoveryQueries:
    """Root ``Query`` fields for browsing and searching everyone's public photos."""

    @strawberry.field(
        description="Everyone's public photos (READY and PUBLIC), filtered and ordered. No sign-in needed."
    )
    async def photos(
        self,
        info: Info[Context, None],
        filter: PhotoFilter | None = None,
        order_by: PhotoOrder = rules.PhotoOrder.NEWEST,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Photo]:
        page = await discovery.browse_photos(
            info.context, _domain_filter(filter), order_by, page_request(first, after, last, before)
        )
        return Connection[Photo].from_page(page, Photo.from_row)

    @strawberry.field(
        description="Public photos whose title, keywords or description contain every word of `query` "
        "(English stemming: 'sunsets' finds 'sunset'), most relevant first; a title match ranks highest."
    )
    async def search_photos(
        self,
        info: Info[Context, None],
        query: str,
        filter: PhotoFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Photo]:
        page = await discovery.search_photos(
            info.context, query, _domain_filter(filter), page_request(first, after, None, None)
        )
        return Connection[Photo].from_page(page, Photo.from_row)
