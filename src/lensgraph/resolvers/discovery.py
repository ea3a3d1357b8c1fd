"""Public discovery: browsing everyone's public photos, and searching them. Anonymous callers are welcome."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lensgraph.domain import plans as plan_rules
from lensgraph.domain.discovery import PhotoFilter, PhotoOrder, SearchMode, clean_filter, search_terms
from lensgraph.domain.pagination import PageRequest
from lensgraph.persistence import discovery as queries
from lensgraph.persistence.models import Photo
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.persistence.photos import PhotoColumns, page_of_photos
from lensgraph.persistence.prepared import PreparedPages
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
    prepared: PreparedPages | None = None,
) -> Page[Any]:
    """READY, PUBLIC photos meeting the filter, newest or most popular first: rows, or only ``columns`` of them
    (and the total beside them with ``count_inline``) for the compiled read path, from its ``prepared``
    statements."""
    cleaned = clean_filter(given)
    query = queries.public_photos(cleaned)
    keys = queries.ORDER_KEYS[order]
    statements = (prepared, (cleaned, order)) if prepared is not None else None
    return await page_of_photos(ctx.reads, query, keys, page, columns, count_inline=count_inline, prepared=statements)


async def search_photos(
    ctx: Context, text: str, given: PhotoFilter, page: PageRequest, mode: SearchMode = SearchMode.KEYWORD
) -> Page[Photo]:
    """READY, PUBLIC photos meeting the filter, most relevant first (ties: by id). KEYWORD: those whose title,
    keywords or description have every word of ``text``; SEMANTIC and HYBRID: see ``resolvers.semantic``."""
    terms = search_terms(text) if mode is SearchMode.KEYWORD else []
    cleaned = clean_filter(given)
    # The verified badge is for everyone: only the other filters are the advanced search a plan may include.
    filtered = replace(cleaned, verified_only=None) != PhotoFilter()
    if filtered:  # the plan is read only when it matters: plain searches cost no subscription lookup
        plan_rules.check_advanced_search(await plans.plan_of(ctx), filtered)
    if mode is not SearchMode.KEYWORD:
        return await semantic.search(ctx, text, cleaned, page, mode)
    if not terms:
        return nothing_found()
    query, relevance = queries.matching(ctx.db.dialect, queries.public_photos(cleaned), terms)
    return await paginate(ctx.reads, query, [relevance, Photo.id], page, descending=True)


def nothing_found() -> Page[Any]:
    """A query of only punctuation or stop words: nothing to look for, so no statement is sent."""

    async def no_results() -> int:
        return 0

    return Page(rows=[], cursors=[], has_next_page=False, has_previous_page=False, count=no_results)
