"""Brand profiles and the photos matched to them: ``viewer.brandProfile``, ``viewer.brandMatches``,
``upsertBrandProfile`` and ``updateMatchStatus``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import matching as rules
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.money import parse_currency
from lensgraph.domain.pagination import page_request
from lensgraph.domain.photos import PhotoCategory as PhotoCategoryValue
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import BrandMatch as BrandMatchRow
from lensgraph.persistence.models import BrandProfile as BrandProfileRow
from lensgraph.resolvers import matching
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    Connection,
    Currency,
    Money,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.photos import Photo, PhotoCategory

MatchStatus = strawberry.enum(
    rules.MatchStatus,
    description="NEW: found by matching. VIEWED, INTERESTED: what you made of it. DISMISSED: never shown again "
    "(final: the photo does not come back, however it is scored again).",
)


@strawberry.type(description="What you mean to pay for a license, in one currency.")
class BudgetRange:
    currency: Currency  # type: ignore[valid-type]
    min: Money
    max: Money | None = strawberry.field(description="Null: no upper bound.")


@strawberry.type(description="What your brand looks for: the catalogue is scored against it.")
class BrandProfile:
    company_name: str
    website: str | None
    description: str
    preferred_categories: list[PhotoCategory]  # type: ignore[valid-type]
    styles: list[str]
    colors: list[str] = strawberry.field(description="Colour names, as the photo filter's `color` takes them.")
    keywords: list[str]
    excluded_keywords: list[str] = strawberry.field(
        description="A photo whose title, keywords or description holds one of these is never matched."
    )
    budget: BudgetRange | None
    updated_at: datetime

    @classmethod
    def from_row(cls, row: BrandProfileRow) -> BrandProfile:
        budget = None
        if row.budget_currency is not None:
            currency = row.budget_currency
            budget = BudgetRange(
                currency=currency,
                min=Money.from_domain(DomainMoney(row.budget_min or 0, currency)),
                max=Money.from_domain(DomainMoney(row.budget_max, currency)) if row.budget_max is not None else None,
            )
        return cls(
            company_name=row.company_name,
            website=row.website,
            description=row.description,
            preferred_categories=[PhotoCategoryValue(value) for value in row.categories],
            styles=row.styles,
            colors=row.colors,
            keywords=row.keywords,
            excluded_keywords=row.excluded_keywords,
            budget=budget,
            updated_at=row.updated_at,
        )


@node_type
@strawberry.type(description="A photo matched to your brand profile, with its score and why.")
class BrandMatch(Node):
    _row: strawberry.Private[BrandMatchRow]
    score: float = strawberry.field(description="0 to 1: how well the photo fits your profile.")
    reasons: list[str] = strawberry.field(description='Why, strongest first: "keywords: surf, golden hour".')
    status: MatchStatus  # type: ignore[valid-type]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: BrandMatchRow) -> BrandMatch:
        return cls(
            _row=row,
            id=to_global_id("BrandMatch", row.id),
            score=row.score,
            reasons=row.reasons,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> BrandMatch | None:
        row = await matching.visible_match(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def photo(self, info: Info[Context, None]) -> Photo:
        return Photo.from_row(await referenced(info.context.loaders.photo, self._row.photo_id))


@strawberry.type
class ViewerMatching:
    """Fields of ``Viewer`` about brand matching (brands only)."""

    @strawberry.field(description="Your brand profile; null until you save one. Brands only.")
    async def brand_profile(self, info: Info[Context, None]) -> BrandProfile | None:
        row = await matching.profile(info.context)
        return BrandProfile.from_row(row) if row else None

    @strawberry.field(
        description="Photos matched to your profile, best score first (ties by id). Without a status: every "
        "status but DISMISSED. Only photos everyone may see. Brands only."
    )
    async def brand_matches(
        self,
        info: Info[Context, None],
        status: MatchStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BrandMatch]:
        page = await matching.list_matches(info.context, status, page_request(first, after, last, before))
        return Connection[BrandMatch].from_page(page, BrandMatch.from_row)


# Inputs and payloads -----------------------------------------------------------------------------------


@strawberry.input(description="A budget range; amounts in minor units of the currency.")
class BudgetRangeInput:
    currency: str = strawberry.field(description="ISO 4217 code, one of the `Currency` values.")
    min: int = 0
    max: int | None = strawberry.field(default=None, description="Null: no upper bound.")

    def to_domain(self) -> rules.Budget:
        return rules.Budget(parse_currency(self.currency, "budget.currency"), self.min, self.max)


@strawberry.input
class UpsertBrandProfileInput:
    company_name: str
    website: str | None = None
    description: str | None = None
    preferred_categories: list[PhotoCategory] = strawberry.field(default_factory=list)  # type: ignore[valid-type]
    styles: list[str] = strawberry.field(default_factory=list, description='Looks you want: "minimal", "candid".')
    colors: list[str] = strawberry.field(
        default_factory=list, description="Colour names: " + ", ".join(rules.COLOR_VOCABULARY) + "."
    )
    keywords: list[str] = strawberry.field(default_factory=list)
    excluded_keywords: list[str] = strawberry.field(default_factory=list)
    budget: BudgetRangeInput | None = None


@strawberry.type
class UpsertBrandProfilePayload:
    profile: BrandProfile | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateMatchStatusInput:
    match_id: strawberry.ID
    status: MatchStatus  # type: ignore[valid-type]


@strawberry.type
class UpdateMatchStatusPayload:
    match: BrandMatch | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MatchingMutations:
    @strawberry.mutation(
        description="Brands: create or replace your profile (every field as given). Your matches are computed "
        "again in the background."
    )
    @returns_user_errors(UpsertBrandProfilePayload)
    async def upsert_brand_profile(
        self, info: Info[Context, None], input: UpsertBrandProfileInput
    ) -> UpsertBrandProfilePayload:
        row = await matching.upsert_profile(
            info.context,
            company_name=input.company_name,
            website=input.website,
            description=input.description,
            categories=input.preferred_categories,
            styles=input.styles,
            colors=input.colors,
            keywords=input.keywords,
            excluded_keywords=input.excluded_keywords,
            budget=input.budget.to_domain() if input.budget is not None else None,
        )
        return UpsertBrandProfilePayload(profile=BrandProfile.from_row(row))

    @strawberry.mutation(
        description="Mark one of your matches VIEWED, INTERESTED or DISMISSED (NEW -> VIEWED -> INTERESTED -> "
        "DISMISSED, steps may be skipped; never back). Setting the status it has changes nothing."
    )
    @returns_user_errors(UpdateMatchStatusPayload)
    async def update_match_status(
        self, info: Info[Context, None], input: UpdateMatchStatusInput
    ) -> UpdateMatchStatusPayload:
        row = await matching.update_status(
            info.context, expect_global_id(input.match_id, "BrandMatch", "matchId"), input.status
        )
        return UpdateMatchStatusPayload(match=BrandMatch.from_row(row))
