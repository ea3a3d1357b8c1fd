"""Brand profiles and matches: a brand says what it looks for; the matching job (jobs/matching.py) scores the
catalogue against it; the brand reads its matches by score and marks them VIEWED, INTERESTED or DISMISSED."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from lensgraph.domain import matching as rules
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import BrandProfileUpdated
from lensgraph.domain.matching import MatchStatus
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.photos import PhotoCategory
from lensgraph.domain.policies import Viewer, can_keep_brand_profile, owns
from lensgraph.persistence import matching as queries
from lensgraph.persistence.models import BrandMatch, BrandProfile, Photo
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.analytics import Scope
from lensgraph.resolvers.context import Context

NO_MATCH = "No such match."


def _require_brand(ctx: Context) -> Viewer:
    viewer = ctx.require_viewer()
    if not can_keep_brand_profile(viewer):
        raise forbidden("Only brands have a brand profile and matches.")
    return viewer


async def profile(ctx: Context) -> BrandProfile | None:
    viewer = _require_brand(ctx)
    async with ctx.db.session() as session:
        return await queries.profile_of(session, viewer.user_id)


async def upsert_profile(
    ctx: Context,
    *,
    company_name: str,
    website: str | None,
    description: str | None,
    categories: Sequence[PhotoCategory],
    styles: Sequence[str],
    colors: Sequence[str],
    keywords: Sequence[str],
    excluded_keywords: Sequence[str],
    budget: rules.Budget | None,
) -> BrandProfile:
    """Creates or replaces the brand's profile; the catalogue is scored for it again once this commits."""
    viewer = _require_brand(ctx)
    checked = rules.check_profile(
        company_name=company_name,
        website=website,
        description=description,
        categories=categories,
        styles=styles,
        colors=colors,
        keywords=keywords,
        excluded_keywords=excluded_keywords,
        budget=budget,
    )
    values = {
        "company_name": checked.company_name,
        "website": checked.website,
        "description": checked.description,
        "categories": [category.value for category in checked.categories],
        "styles": list(checked.styles),
        "colors": list(checked.colors),
        "keywords": list(checked.keywords),
        "excluded_keywords": list(checked.excluded_keywords),
        "budget_currency": checked.budget.currency if checked.budget else None,
        "budget_min": checked.budget.minimum if checked.budget else None,
        "budget_max": checked.budget.maximum if checked.budget else None,
    }
    async with ctx.db.unit_of_work() as uow:
        await queries.save_profile(uow.session, viewer.user_id, values)
        uow.emit(BrandProfileUpdated(brand_id=viewer.user_id, audience=(viewer.user_id,)))
        saved = await queries.profile_of(uow.session, viewer.user_id)
    if saved is None:  # the account was deleted at the same moment
        raise DomainError(ErrorCode.NOT_FOUND, "Your account no longer exists.")
    return saved


async def list_matches(ctx: Context, status: MatchStatus | None, page: PageRequest) -> Page[BrandMatch]:
    """Best score first, ties by id: photos that stopped being public drop out; DISMISSED only when asked for."""
    viewer = _require_brand(ctx)
    return await paginate(
        ctx.reads,
        queries.matches_of(viewer.user_id, status),
        [BrandMatch.score, BrandMatch.id],
        page,
        descending=True,
    )


async def visible_match(ctx: Context, match_id: UUID) -> BrandMatch | None:
    """``node(id:)``: a match is its brand's alone."""
    row = await ctx.loaders.brand_match.load(match_id)
    return row if row is not None and owns(ctx.viewer, row.brand_id) else None


async def update_status(ctx: Context, match_id: UUID, wanted: MatchStatus) -> BrandMatch:
    """Moves one of the brand's matches; another brand's is NOT_FOUND. The move is a conditional UPDATE on the
    status read, so two changes at once cannot both apply (the second is CONFLICT)."""
    viewer = _require_brand(ctx)
    async with ctx.db.unit_of_work() as uow:
        row = await uow.session.get(BrandMatch, match_id)
        if row is None or row.brand_id != viewer.user_id:
            raise DomainError(ErrorCode.NOT_FOUND, NO_MATCH, ["matchId"])
        if rules.check_transition(row.status, wanted):
            if not await queries.set_status(uow.session, row.id, viewer.user_id, row.status, wanted):
                raise DomainError(ErrorCode.CONFLICT, "This match changed at the same moment: load it again.")
            await uow.session.refresh(row)
    return row


async def matches_by_status(ctx: Context, scope: Scope) -> list[tuple[MatchStatus, int]]:
    """Matches found in the dashboard's window, per status as it is now; every status listed, zero included."""
    async with ctx.db.session() as session:
        counts = await queries.matches_by_status(session, scope.user_id, scope.window)
    return [(status, counts.get(status, 0)) for status in MatchStatus]


async def match_count(ctx: Context, photo: Photo) -> int | None:
    """How many brands the photo was matched with: its owner's to know."""
    if not owns(ctx.viewer, photo.user_id):
        return None
    return await ctx.loaders.photo_match_count.load(photo.id)
