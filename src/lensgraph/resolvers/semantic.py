"""Semantic and hybrid search, and similar photos: the query embedded once per request, nearest vectors found in
the database, keyword and semantic rankings fused (``discovery.reciprocal_rank_fusion``), pages cut by a
(score, id) cursor."""

from __future__ import annotations

import asyncio
import uuid

from lensgraph.adapters.embeddings import Embedder, EmbeddingsUnavailable, get_embedder
from lensgraph.domain import discovery as rules
from lensgraph.domain.discovery import SearchMode
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.pagination import MAX_PAGE_SIZE, PageRequest
from lensgraph.domain.photos import is_duplicate
from lensgraph.persistence import discovery as queries
from lensgraph.persistence import embeddings as vectors
from lensgraph.persistence.models import Photo
from lensgraph.persistence.pagination import Cursors, Page
from lensgraph.resolvers.context import Context


async def embedder_of(ctx: Context) -> Embedder:
    """The process's embedder, or the API's error saying how to install it. Loading the model (once per
    process) takes a few seconds: it happens off the event loop."""
    try:
        return await asyncio.to_thread(get_embedder, ctx.settings.embeddings)
    except EmbeddingsUnavailable as exc:
        raise DomainError(ErrorCode.SEMANTIC_SEARCH_UNAVAILABLE, str(exc), ["mode"]) from exc


async def search(
    ctx: Context, text: str, cleaned: rules.PhotoFilter, page: PageRequest, mode: SearchMode
) -> tuple[Page[Photo], list[uuid.UUID]]:
    """READY, PUBLIC photos meeting the filter, ranked by the meaning of ``text`` (SEMANTIC) or by that and its
    words together (HYBRID), best first: a page of them, and every ranked photo's id (what its facets count)."""
    query = rules.check_semantic_query(text)
    after = _ranked_cursor(page)
    embedder = await embedder_of(ctx)
    [vector] = await asyncio.to_thread(embedder.embed, [query])
    within = queries.public_photos(cleaned)
    async with ctx.reads.session() as session:
        nearest = await vectors.nearest_photos(
            session, vector, model=embedder.model_name, limit=rules.SEARCH_CANDIDATES, within=within
        )
        ranked = [(photo_id, score) for photo_id, score in nearest if score >= rules.MIN_SIMILARITY]
        if mode is SearchMode.HYBRID:
            terms = rules.search_terms(query[: rules.MAX_SEARCH_LENGTH])
            by_words = await queries.keyword_ranking(session, ctx.db.dialect, within, terms, rules.SEARCH_CANDIDATES)
            ranked = rules.reciprocal_rank_fusion([by_words, [photo_id for photo_id, _ in ranked]])
        chosen, more = rules.ranked_page(ranked, after, page.limit, key=str)
        rows = await queries.photos_in_order(session, [photo_id for photo_id, _ in chosen])
    total = len(ranked)

    async def count() -> int:
        return total

    page_of_ranked = Page(
        rows=rows,
        cursors=Cursors([(score, str(photo_id)) for photo_id, score in chosen]),
        has_next_page=more,
        has_previous_page=after is not None,
        count=count,
    )
    return page_of_ranked, [photo_id for photo_id, _ in ranked]


async def similar(ctx: Context, photo: Photo, first: int) -> list[Photo]:
    """Photos anyone may see whose vectors are nearest to this one's, best first; near-duplicates of it (by
    perceptual hash) left out. Empty while the photo has no vector yet."""
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise DomainError(ErrorCode.INVALID_INPUT, f"first must be between 0 and {MAX_PAGE_SIZE}.", ["first"])
    embedder = await embedder_of(ctx)
    if first == 0:
        return []
    async with ctx.reads.session() as session:
        own = (await vectors.photo_vectors(session, [photo.id])).get(photo.id)
        if own is None:
            return []
        # A few more than asked: near-duplicates are dropped after.
        nearest = await vectors.nearest_photos(
            session, own, model=embedder.model_name, limit=first * 2 + 10, exclude_ids=[photo.id]
        )
        rows = await queries.photos_in_order(session, [photo_id for photo_id, _ in nearest])
    kept = [row for row in rows if not (photo.phash and row.phash and is_duplicate(photo.phash, row.phash))]
    return kept[:first]


def _ranked_cursor(page: PageRequest) -> tuple[float, str] | None:
    if page.backward:
        raise DomainError(ErrorCode.INVALID_INPUT, "Page a ranked search forwards, with first and after.", ["last"])
    if page.cursor is None:
        return None
    if len(page.cursor) != 2 or not isinstance(page.cursor[0], int | float) or not isinstance(page.cursor[1], str):
        raise DomainError(ErrorCode.INVALID_INPUT, "This cursor is not valid.", ["after"])
    return float(page.cursor[0]), page.cursor[1]
