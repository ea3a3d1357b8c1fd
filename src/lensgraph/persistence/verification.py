"""Queries of verifications: the owner's list, status moves as conditional UPDATEs, the month's usage, invitations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.money import Currency, Money
from lensgraph.domain.verification import (
    MonthlyUsage,
    VerificationFilter,
    VerificationOrder,
    VerificationStatus,
    looks_like_short_code,
    sources_of,
)
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import User, Verification, VerificationInvite, VerificationUsage
from lensgraph.persistence.pagination import SortKey

ORDER_KEYS: dict[VerificationOrder, tuple[tuple[SortKey, ...], bool]] = {
    VerificationOrder.NEWEST: ((Verification.created_at, Verification.id), True),
    VerificationOrder.OLDEST: ((Verification.created_at, Verification.id), False),
    VerificationOrder.NAME: ((Verification.name, Verification.id), False),
    VerificationOrder.RECENTLY_COMPLETED: ((Verification.completed_at, Verification.id), True),
}


def verifications_of(user_id: UUID, given: VerificationFilter, order: VerificationOrder) -> Select[Any]:
    """The owner's verifications meeting the filter; RECENTLY_COMPLETED lists finished ones only (a keyset over a
    column that is null for the others would not page)."""
    query = select(Verification).where(Verification.user_id == user_id)
    if given.status is not None:
        query = query.where(Verification.status == given.status)
    if given.result is not None:
        query = query.where(Verification.authentic == given.result)
    if given.search:
        text = given.search.strip()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches: ColumnElement[bool] = Verification.name.ilike(pattern, escape="\\")
        if looks_like_short_code(text):
            matches = or_(matches, Verification.short_code == text.upper())
        query = query.where(matches)
    if order is VerificationOrder.RECENTLY_COMPLETED:
        query = query.where(Verification.completed_at.is_not(None))
    return query


async def move_status(session: AsyncSession, verification_id: UUID, to: VerificationStatus, **values: Any) -> bool:
    """Moves the verification to ``to`` if the status machine allows it from its status now (``sources_of``): one
    conditional UPDATE, so of two workers (or a worker and a delete) exactly one moves it. Bumps ``version``, so a
    copy read before goes stale."""
    result = await session.execute(
        update(Verification)
        .where(Verification.id == verification_id, Verification.status.in_(sorted(sources_of(to), key=str)))
        .values(status=to, version=Verification.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def delete_unless_running(session: AsyncSession, verification_id: UUID) -> bool:
    """Deletes the verification unless its analysis runs: one conditional DELETE, so a job claiming it at this
    moment either wins (nothing is deleted) or finds it gone."""
    result = await session.execute(
        delete(Verification)
        .where(Verification.id == verification_id, Verification.status != VerificationStatus.IN_PROGRESS)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def resumable(
    session: AsyncSession, waiting_before: datetime, stale_before: datetime
) -> list[tuple[UUID, VerificationStatus, int]]:
    """Verifications whose job may be lost: waiting ones (PENDING, QUEUED) unmoved since ``waiting_before``, and
    analyses unmoved since ``stale_before`` (their worker died), with their status and attempts so far."""
    rows = await session.execute(
        select(Verification.id, Verification.status, Verification.attempts).where(
            or_(
                and_(
                    Verification.status.in_([VerificationStatus.PENDING, VerificationStatus.QUEUED]),
                    Verification.updated_at <= waiting_before,
                ),
                and_(
                    Verification.status == VerificationStatus.IN_PROGRESS,
                    Verification.updated_at < stale_before,
                ),
            )
        )
    )
    return [(key, status, attempts) for key, status, attempts in rows]


# The monthly allowance ---------------------------------------------------------------------------


async def monthly_usage(session: AsyncSession, user_id: UUID, month: str) -> MonthlyUsage:
    """One statement: the month's verifications within the allowance, beyond it, and what those cost."""
    overage = VerificationUsage.overage.is_(True)
    row = (
        await session.execute(
            select(
                func.count(case((VerificationUsage.overage.is_(False), 1))),
                func.count(case((overage, 1))),
                func.coalesce(func.sum(case((overage, VerificationUsage.amount), else_=0)), 0),
            ).where(VerificationUsage.user_id == user_id, VerificationUsage.month == month)
        )
    ).one()
    included, beyond, spent = row
    return MonthlyUsage(month, int(included), int(beyond), Money(int(spent), Currency.EUR))


async def budget_of(session: AsyncSession, user_id: UUID) -> Money:
    amount = await session.scalar(select(User.verification_budget).where(User.id == user_id))
    return Money(int(amount or 0), Currency.EUR)


async def set_budget(session: AsyncSession, user_id: UUID, amount: Money) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(verification_budget=amount.amount)
        .execution_options(synchronize_session=False)
    )


async def unreported_overage(session: AsyncSession, limit: int) -> list[UUID]:
    """Overage not yet reported to Stripe, oldest first."""
    rows = await session.scalars(
        select(VerificationUsage.id)
        .where(VerificationUsage.overage.is_(True), VerificationUsage.reported_to_stripe_at.is_(None))
        .order_by(VerificationUsage.created_at)
        .limit(limit)
    )
    return list(rows.all())


async def mark_reported(session: AsyncSession, usage_id: UUID, at: datetime, stripe_usage_id: str) -> bool:
    result = await session.execute(
        update(VerificationUsage)
        .where(VerificationUsage.id == usage_id, VerificationUsage.reported_to_stripe_at.is_(None))
        .values(reported_to_stripe_at=at, stripe_usage_id=stripe_usage_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


# Invitations -------------------------------------------------------------------------------------


async def invited_to(session: AsyncSession, keys: Sequence[tuple[UUID, UUID]]) -> list[bool]:
    """Per (user, verification): whether the user holds a live (not revoked) invitation to it. A loader's batch."""
    if not keys:
        return []
    user_ids = {user_id for user_id, _ in keys}
    verification_ids = {verification_id for _, verification_id in keys}
    rows = await session.execute(
        select(VerificationInvite.invited_user_id, VerificationInvite.verification_id).where(
            VerificationInvite.invited_user_id.in_(user_ids),
            VerificationInvite.verification_id.in_(verification_ids),
            VerificationInvite.revoked_at.is_(None),
        )
    )
    found = {(user_id, verification_id) for user_id, verification_id in rows}
    return [key in found for key in keys]
