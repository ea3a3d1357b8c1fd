"""Queries about subscriptions and what a plan's limits count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.persistence.base import take_write_lock
from lensgraph.persistence.models import ApiKey, Subscription, User


async def subscriptions_of_users(session: AsyncSession, user_ids: Sequence[UUID]) -> list[Subscription | None]:
    rows = await session.scalars(select(Subscription).where(Subscription.user_id.in_(user_ids)))
    by_user = {row.user_id: row for row in rows}
    return [by_user.get(user_id) for user_id in user_ids]


async def hold_account(session: AsyncSession, user_id: UUID) -> None:
    """Serialises a user's changes that a plan counts or limits (subscribing, API keys) until this transaction ends
    (see ``take_write_lock``). The user row: before the first subscription or key there is no row of it to hold."""
    await take_write_lock(session, User, User.id == user_id)


async def subscription_of_user(session: AsyncSession, user_id: UUID, *, lock: bool = False) -> Subscription | None:
    """``lock``: against Stripe's events, which change the row without holding its user (PostgreSQL; on SQLite the
    holder of ``hold_account`` already writes alone)."""
    query = select(Subscription).where(Subscription.user_id == user_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def subscription_for_stripe(
    session: AsyncSession, *, subscription_id: str | None = None, checkout_session_id: str | None = None
) -> Subscription | None:
    """Ours, found by Stripe's subscription id or by the checkout that started it; locked for the update."""
    conditions = []
    if subscription_id:
        conditions.append(Subscription.stripe_subscription_id == subscription_id)
    if checkout_session_id:
        conditions.append(Subscription.stripe_checkout_session_id == checkout_session_id)
    if not conditions:
        return None
    return await session.scalar(select(Subscription).where(or_(*conditions)).limit(1).with_for_update())


async def live_api_key_count(session: AsyncSession, user_id: UUID, now: datetime) -> int:
    """Keys that still open the API: not revoked, not expired."""
    query = select(func.count()).where(
        ApiKey.user_id == user_id,
        ApiKey.revoked_at.is_(None),
        or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
    )
    return int(await session.scalar(query) or 0)
