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
from lensgraph.persistence.prepared import PreparedPages
from lensgraph.resolvers import discovery
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import Connection
from lensgraph.schema.photos import Photo, PhotoFilter, PhotoOrder, domain_filter

SearchMode = strawberry.enum(
    discovery_rules.SearchMode,
    description="KEYWORD: every word of the query, stemmed (full-text search). SEMANTIC: by meaning (sentence "
    "embeddings: a paraphrase finds photos that share no word with it). HYBRID: both rankings fused (reciprocal "
    "rank fusion). SEMANTIC and HYBRID need the embedding model (the ai extra): without it they answer with the "
    "error code SEMANTIC_SEARCH_UNAVAILABLE.",
)

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
    prepared: PreparedPages | None = None,
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
        description="Public photos matching `query`, most relevant first. KEYWORD (default): those whose title, "
        "keywords or description contain every word of `query` (English stemming: 'sunsets' finds 'sunset'); a "
        "title match ranks highest. SEMANTIC: the nearest by meaning. HYBRID: both, fused. `query`: 1 to 200 "
        "characters for KEYWORD, up to 10,000 for SEMANTIC and HYBRID."
    )
    async def search_photos(
        self,
        info: Info[Context, None],
        query: str,
        mode: SearchMode = SearchMode.KEYWORD,  # type: ignore[valid-type]
        filter: PhotoFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        verified_only: VerifiedOnly = None,
    ) -> Connection[Photo]:
        given = replace(domain_filter(filter), verified_only=verified_only)
        page_asked = page_request(first, after, None, None)
        page = await discovery.search_photos(info.context, query, given, page_asked, mode)
        return Connection[Photo].from_page(page, Photo.from_row)
