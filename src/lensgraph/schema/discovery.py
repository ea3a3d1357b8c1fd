"""Public discovery: the root ``photos`` list and ``searchPhotos``, open to anonymous callers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
from lensgraph.resolvers.discovery import SearchResults
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
        description="Public photos matching `query`, most relevant first. KEYWORD (default): those whose title, "
        "keywords, description or inferred keywords (autoKeywords) contain every word of `query` (English stemming: "
        "'sunsets' finds 'sunset'); a title match ranks highest, an inferred keyword lowest. SEMANTIC: the nearest "
        "by meaning. HYBRID: both, fused. `query`: 1 to 200 characters for KEYWORD, up to 10,000 for SEMANTIC and "
        "HYBRID. Enterprise search (a paid plan, else PAYMENT_REQUIRED): `filter`, an `orderBy` other than "
        "RELEVANCE (KEYWORD only), and `facets` on the result."
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
        order_by: PhotoSearchOrder = discovery_rules.SearchOrder.RELEVANCE,  # type: ignore[valid-type]
    ) -> PhotoSearchConnection:
        given = replace(domain_filter(filter), verified_only=verified_only)
        results = await discovery.search_photos(
            info.context, query, given, order_by, page_request(first, after, None, None), mode
        )
        return PhotoSearchConnection.from_results(results)


PhotoSearchOrder = strawberry.enum(
    discovery_rules.SearchOrder,
    name="PhotoSearchOrder",
    description="RELEVANCE: best match first. NEWEST: latest uploads first. POPULARITY: most saved first. "
    "A cursor pages only the order it was made in.",
)


@strawberry.type(description="One bucket of a facet: a value (null: the photos without one) and how many photos.")
class FacetCount:
    value: str | None
    count: int


@strawberry.type(
    description="The whole result set (every page) counted by facet. A facet holding one value per photo adds up to "
    "totalCount: category, orientation, photographer, priceBand, hasRelease, verified. color (up to three dominant "
    "colours) and licenseUsage (any offered usages) count a photo once per value."
)
class PhotoSearchFacets:
    category: list[FacetCount]
    orientation: list[FacetCount]
    color: list[FacetCount]
    photographer: list[FacetCount] = strawberry.field(description="By username.")
    license_usage: list[FacetCount] = strawberry.field(description="By LicenseUsage offered.")
    price_band: list[FacetCount] = strawberry.field(
        description="By asking price: '<CURRENCY> <from>-<to>' in major units ('EUR 50-200', 'EUR 1000+'); null: "
        "on request."
    )
    has_release: list[FacetCount] = strawberry.field(description="'true' or 'false'.")
    verified: list[FacetCount] = strawberry.field(description="'true' or 'false' (Photo.verification).")

    @classmethod
    def from_domain(cls, counted: dict[discovery_rules.Facet, list[discovery_rules.FacetCount]]) -> PhotoSearchFacets:
        def of(facet: discovery_rules.Facet) -> list[FacetCount]:
            return [FacetCount(value=bucket.value, count=bucket.count) for bucket in counted.get(facet, [])]

        facet = discovery_rules.Facet
        return cls(
            category=of(facet.CATEGORY),
            orientation=of(facet.ORIENTATION),
            color=of(facet.COLOR),
            photographer=of(facet.PHOTOGRAPHER),
            license_usage=of(facet.LICENSE_USAGE),
            price_band=of(facet.PRICE_BAND),
            has_release=of(facet.HAS_RELEASE),
            verified=of(facet.VERIFIED),
        )


@strawberry.type(description="Search results: the fields of every connection, and the facets of the whole result.")
class PhotoSearchConnection(Connection[Photo]):
    _facets: strawberry.Private[Callable[[], Awaitable[dict[discovery_rules.Facet, list[discovery_rules.FacetCount]]]]]

    @strawberry.field(
        description="Counts by facet over every result (not only this page), computed in the database. Paid plans."
    )
    async def facets(self) -> PhotoSearchFacets | None:
        return PhotoSearchFacets.from_domain(await self._facets())

    @classmethod
    def from_results(cls, results: SearchResults) -> PhotoSearchConnection:
        page = Connection[Photo].from_page(results.page, Photo.from_row)
        return cls(edges=page.edges, page_info=page.page_info, _count=page._count, _facets=results.facets)
