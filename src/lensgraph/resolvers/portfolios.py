"""Portfolios: a photographer's public page of words, links, featured photos and public collections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from lensgraph.domain import portfolios as rules
from lensgraph.domain.errors import DomainError, ErrorCode, unauthenticated
from lensgraph.domain.policies import PUBLISHER_ROLES, can_view_photo, owns
from lensgraph.persistence import collections as queries
from lensgraph.persistence.collections import CountKey
from lensgraph.persistence.db import ConstraintViolation
from lensgraph.persistence.models import Photo, Portfolio, User
from lensgraph.resolvers.collections import require_curator
from lensgraph.resolvers.context import Context


@dataclass(frozen=True)
class PortfolioView:
    """A portfolio as shown: its owner and settings, the defaults where nothing was saved."""

    user: User
    headline: str
    bio: str
    theme: rules.PortfolioTheme
    social_links: list[rules.SocialLink]

    @classmethod
    def of(cls, user: User, saved: Portfolio | None) -> PortfolioView:
        if saved is None:
            return cls(user, "", "", rules.DEFAULT_THEME, [])
        return cls(
            user,
            saved.headline,
            saved.bio,
            rules.theme_from_storage(saved.theme),
            rules.links_from_storage(saved.social_links),
        )


async def by_username(ctx: Context, username: str) -> PortfolioView | None:
    """Photographers and studios have a portfolio; an unknown username (or a brand's) has none."""
    async with ctx.db.session() as session:
        user = await queries.user_by_username(session, username.strip().lower())
        if user is None or user.role not in PUBLISHER_ROLES:
            return None
        return PortfolioView.of(user, await queries.portfolio_of(session, user.id))


async def update_settings(
    ctx: Context,
    *,
    headline: str | None,
    bio: str | None,
    theme: rules.PortfolioTheme | None,
    social_links: Sequence[rules.SocialLink] | None,
) -> PortfolioView:
    """Changes what is given and keeps the rest; ``socialLinks`` replaces the whole list."""
    viewer = require_curator(ctx)
    cleaned_headline = rules.clean_headline(headline) if headline is not None else None
    cleaned_bio = rules.clean_bio(bio) if bio is not None else None
    cleaned_links = rules.clean_social_links(social_links) if social_links is not None else None
    async with ctx.db.unit_of_work() as uow:
        portfolio = await queries.portfolio_for_update(uow.session, viewer.user_id)
        if cleaned_headline is not None:
            portfolio.headline = cleaned_headline
        if cleaned_bio is not None:
            portfolio.bio = cleaned_bio
        if theme is not None:
            portfolio.theme = theme.value
        if cleaned_links is not None:
            portfolio.social_links = rules.stored_links(cleaned_links)
    return PortfolioView.of(await _user(ctx, viewer.user_id), portfolio)


async def set_featured(ctx: Context, photo_ids: Sequence[UUID]) -> PortfolioView:
    """Replaces the featured photos with these, in this order."""
    viewer = require_curator(ctx)
    try:
        async with ctx.db.unit_of_work() as uow:
            # The lock on the portfolio row makes two concurrent replacements run one after the other.
            portfolio = await queries.portfolio_for_update(uow.session, viewer.user_id)
            statuses = await queries.own_photo_statuses(uow.session, viewer.user_id, photo_ids)
            await queries.replace_featured(uow.session, viewer.user_id, rules.check_featured(photo_ids, statuses))
    except ConstraintViolation:
        # One of the photos was deleted while the list was being saved.
        raise DomainError(ErrorCode.NOT_FOUND, "No such photo of yours.", ["photoIds"]) from None
    return PortfolioView.of(await _user(ctx, viewer.user_id), portfolio)


async def _user(ctx: Context, user_id: UUID) -> User:
    user = await ctx.loaders.user.load(user_id)
    if user is None:
        raise unauthenticated("This account no longer exists.")
    return user


async def featured_photos(ctx: Context, user_id: UUID) -> list[Photo]:
    """In the owner's order; others see only the photos they may see."""
    photos = await ctx.loaders.featured_photos.load(user_id)
    return [photo for photo in photos if can_view_photo(ctx.viewer, photo.user_id, photo.status, photo.visibility)]


async def photo_count(ctx: Context, user_id: UUID) -> int:
    """All of the owner's photos for the owner; the ones others may see for everyone else."""
    return await ctx.loaders.user_photo_count.load(CountKey(user_id, not owns(ctx.viewer, user_id)))
