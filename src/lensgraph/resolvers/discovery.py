"""Public discovery: browsing everyone's public photos, and searching them. Anonymous callers are welcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from lensgraph.domain import plans as plan_rules
from lensgraph.domain.discovery import (
    Facet,
    FacetCount,
    PhotoFilter,
    PhotoOrder,
    SearchMode,
    SearchOrder,
    clean_filter,
    search_terms,
)
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.pagination import PageRequest
from lensgraph.persistence import discovery as queries
from lensgraph.persistence.models import Photo
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.persistence.photos import PhotoColumns, page_of_photos
from lensgraph.persistence.prepared import PreparedStatements
from lensgraph.resolvers import plans, semantic
from lensgraph.resolvers.context import Context


async def browse_photos(
    ctx: Context,
    given: PhotoFilter,
    order: PhotoOrder,
    page: PageRequest,
    columns: PhotoColumns | None = None,
    *,
    count_inline: bool = False,
    prepared: PreparedStatements | None = None,
) -> Page[Any]:
    """READY, PUBLIC photos meeting the filter, newest or most popular first: rows, or only ``columns`` of them
    (and the total beside them with ``count_inline``) for the compiled read path, from its ``prepared``
    statements."""
    cleaned = clean_filter(given)
    keys = queries.ORDER_KEYS[order]
    statements = (prepared, (cleaned, order)) if prepared is not None else None
    query = lambda: queries.public_photos(cleaned)  # noqa: E731 - built only for a shape not prepared yet
    return await page_of_photos(ctx.reads, query, keys, page, columns, count_inline=count_inline, prepared=statements)


@dataclass(frozen=True)
class SearchResults:
    """A page of search results and, on demand, the facets of the whole result set."""

    page: Page[Photo]
    facets: Callable[[], Awaitable[dict[Facet, list[FacetCount]]]]


async def search_photos(
    ctx: Context,
    text: str,
    given: PhotoFilter,
    order: SearchOrder,
    page: PageRequest,
    mode: SearchMode = SearchMode.KEYWORD,
) -> SearchResults:
    """READY, PUBLIC photos meeting the filter. KEYWORD: those whose title, keywords, description or inferred
    keywords have every word of ``text``, most relevant first (ties: by id), or newest or most popular first;
    SEMANTIC and HYBRID (by relevance only): see ``resolvers.semantic``."""
    cleaned = clean_filter(given)
    # The verified badge is for everyone: only the other filters are the advanced search a plan may include.
    uses = "filter" if replace(cleaned, verified_only=None) != PhotoFilter() else None
    uses = uses or ("orderBy" if order is not SearchOrder.RELEVANCE else None)
    if uses:  # the plan is read only when it matters: plain searches cost no subscription lookup
        plan_rules.check_advanced_search(await plans.plan_of(ctx), uses)
    if mode is not SearchMode.KEYWORD:
        if order is not SearchOrder.RELEVANCE:
            raise DomainError(
                ErrorCode.INVALID_INPUT, f"{mode.value} results come by relevance: leave orderBy out.", ["orderBy"]
            )
        found, ranked_ids = await semantic.search(ctx, text, cleaned, page, mode)
        return SearchResults(found, _facets(ctx, queries.photos_among(ranked_ids)))
    terms = search_terms(text)
    ranked = ranking(ctx, cleaned, terms, order) if terms else None
    facets = _facets(ctx, ranked.query if ranked else None)
    if ranked is None:
        return SearchResults(nothing_found(), facets)
    found = await paginate(ctx.reads, ranked.query, ranked.keys, page, descending=True, cursor_tag=(order.value,))
    return SearchResults(found, facets)


def _facets(ctx: Context, matched: queries.PhotoQuery | None) -> Callable[[], Awaitable[dict[Facet, list[FacetCount]]]]:
    """The facets of every photo ``matched`` selects (a search's whole result), counted when asked (paid plans)."""

    async def facets() -> dict[Facet, list[FacetCount]]:
        plan_rules.check_advanced_search(await plans.plan_of(ctx), "facets")
        if matched is None:
            return {facet: [] for facet in Facet}
        return await queries.facet_counts(ctx.reads, matched, list(Facet))

    return facets


def ranking(ctx: Context, cleaned: PhotoFilter, terms: list[str], order: SearchOrder) -> queries.Ranked:
    """The keyword ranking step, one place: which photos match and the keyset they are ordered and paged by: the
    full-text match and rank (the photographer's words above the inferred keywords); NEWEST and POPULARITY order
    the same matches by their own keys."""
    return queries.keyword_ranked(ctx.db.dialect, queries.public_photos(cleaned), terms, order)


def nothing_found() -> Page[Any]:
    """A query of only punctuation or stop words: nothing to look for, so no statement is sent."""

    async def no_results() -> int:
        return 0

    return Page(rows=[], cursors=[], has_next_page=False, has_previous_page=False, count=no_results)
