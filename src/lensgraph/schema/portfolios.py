"""Portfolios: a photographer's or studio's public page, and its settings."""

from __future__ import annotations

import strawberry
from strawberry import Info

from lensgraph.domain import portfolios as rules
from lensgraph.domain.pagination import page_request
from lensgraph.resolvers import collections, portfolios
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.portfolios import PortfolioView
from lensgraph.schema.accounts import User
from lensgraph.schema.collections import Collection
from lensgraph.schema.core import Connection, UserError, expect_global_id, returns_user_errors
from lensgraph.schema.photos import Photo

PortfolioTheme = strawberry.enum(rules.PortfolioTheme, description="How the portfolio page looks.")
SocialNetwork = strawberry.enum(
    rules.SocialNetwork, description="Where a link leads: a network's own site, or WEBSITE for any other."
)


@strawberry.type
class SocialLink:
    network: SocialNetwork  # type: ignore[valid-type]
    url: str


@strawberry.type(description="A photographer's or studio's public page.")
class Portfolio:
    _view: strawberry.Private[PortfolioView]
    user: User
    headline: str
    bio: str
    theme: PortfolioTheme  # type: ignore[valid-type]
    social_links: list[SocialLink]

    @classmethod
    def from_view(cls, view: PortfolioView) -> Portfolio:
        return cls(
            _view=view,
            user=User.from_row(view.user),
            headline=view.headline,
            bio=view.bio,
            theme=view.theme,
            social_links=[SocialLink(network=link.network, url=link.url) for link in view.social_links],
        )

    @strawberry.field(description="In the owner's order; others see only the READY, PUBLIC ones.")
    async def featured_photos(self, info: Info[Context, None]) -> list[Photo]:
        return [Photo.from_row(row) for row in await portfolios.featured_photos(info.context, self._view.user.id)]

    @strawberry.field(description="The PUBLIC collections, newest first.")
    async def collections(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Collection]:
        page = await collections.list_public(info.context, self._view.user.id, page_request(first, after, last, before))
        return Connection[Collection].from_page(page, Collection.from_row)

    @strawberry.field(description="How many photos you may see (the owner: all of them).")
    async def photo_count(self, info: Info[Context, None]) -> int:
        return await portfolios.photo_count(info.context, self._view.user.id)


@strawberry.type
class PortfolioQueries:
    @strawberry.field(description="A photographer's or studio's public page; null for an unknown username.")
    async def portfolio(self, info: Info[Context, None], username: str) -> Portfolio | None:
        view = await portfolios.by_username(info.context, username)
        return Portfolio.from_view(view) if view else None


@strawberry.input
class SocialLinkInput:
    network: SocialNetwork  # type: ignore[valid-type]
    url: str = strawberry.field(description="https only; on the network's own site unless the network is WEBSITE.")


@strawberry.input
class UpdatePortfolioSettingsInput:
    headline: str | None = None
    bio: str | None = None
    theme: PortfolioTheme | None = None  # type: ignore[valid-type]
    social_links: list[SocialLinkInput] | None = strawberry.field(
        default=None, description="Replaces every link; one per network."
    )


@strawberry.type
class UpdatePortfolioSettingsPayload:
    portfolio: Portfolio | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetFeaturedPhotosInput:
    photo_ids: list[strawberry.ID] = strawberry.field(description="Up to 24 of your READY photos, in order.")


@strawberry.type
class SetFeaturedPhotosPayload:
    portfolio: Portfolio | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PortfolioMutations:
    @strawberry.mutation(description="Photographers and studios: change what is given; the rest stays.")
    @returns_user_errors(UpdatePortfolioSettingsPayload)
    async def update_portfolio_settings(
        self, info: Info[Context, None], input: UpdatePortfolioSettingsInput
    ) -> UpdatePortfolioSettingsPayload:
        links = input.social_links
        view = await portfolios.update_settings(
            info.context,
            headline=input.headline,
            bio=input.bio,
            theme=input.theme,
            social_links=None if links is None else [rules.SocialLink(link.network, link.url) for link in links],
        )
        return UpdatePortfolioSettingsPayload(portfolio=Portfolio.from_view(view))

    @strawberry.mutation(description="Replace the featured photos with these, in this order.")
    @returns_user_errors(SetFeaturedPhotosPayload)
    async def set_featured_photos(
        self, info: Info[Context, None], input: SetFeaturedPhotosInput
    ) -> SetFeaturedPhotosPayload:
        photo_ids = [expect_global_id(photo_id, "Photo", "photoIds") for photo_id in input.photo_ids]
        view = await portfolios.set_featured(info.context, photo_ids)
        return SetFeaturedPhotosPayload(portfolio=Portfolio.from_view(view))
