"""Public discovery: the root ``photos`` list and ``searchPhotos``, open to anonymous callers."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import strawberry
from strawberry import Info

from lensgraph.domain import discovery as discovery_rules
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.pagination import Page
from lensgraph.persistence.photos import PhotoColumns
from lensgraph.persistence.prepared import PreparedStatements
from lensgraph.resolvers import discovery
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import Connection
from lensgraph.schema.photos import Photo, PhotoFilter, PhotoOrder, domain_filter

VerifiedOnly = Annotated[
    bool | None,
    strawberry.argument(
        description="true: only photos that show a JPEG their photographer verified authentic (see Photo.verification)."
    ),
]


async def browse_page(
    ctx: Context,
    filter: PhotoFilter | None = None,
    order_by: discovery_rules.PhotoOrder = discovery_rules.PhotoOrder.NEWEST,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    verified_only: bool | None = None,
    *,
    columns: PhotoColumns | None = None,
    count_inline: bool = False,
    prepared: PreparedStatements | None = None,
) -> Page[Any]:
    """The root ``photos`` field's page, for its resolver (rows) and for its compiled plan (``columns``, and the
    statements it keeps prepared)."""
    given = replace(domain_filter(filter), verified_only=verified_only)
    page = page_request(first, after, last, before)
    return await discovery.browse_photos(
        ctx, given, order_by, page, columns, count_inline=count_inline, prepared=prepared
    )


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
        order_by: PhotoOrder = PhotoOrder.NEWEST,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        verified_only: VerifiedOnly = None,
    ) -> Connection[Photo]:
        page = await browse_page(info.context, filter, order_by, first, after, last, before, verified_only)
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
        verified_only: VerifiedOnly = None,
    ) -> Connection[Photo]:
        given = replace(domain_filter(filter), verified_only=verified_only)
        page = await discovery.search_photos(info.context, query, given, page_request(first, after, None, None))
        return Connection[Photo].from_page(page, Photo.from_row)
