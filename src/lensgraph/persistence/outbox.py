"""Claiming outbox rows, and what one event produced: notifications and webhook deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.notifications import Channels
from lensgraph.persistence.models import (
    Notification,
    NotificationPreference,
    OutboxEvent,
    PushDelivery,
    WebhookDelivery,
)


async def claim(
    session: AsyncSession, relay_id: uuid.UUID, now: datetime, lease: timedelta, limit: int
) -> list[OutboxEvent]:
    """Leases unpublished events to one relay. The conditions are repeated on the outer UPDATE so that
    PostgreSQL re-checks them on rows another relay just claimed; SQLite serializes writers anyway."""
    free = and_(
        OutboxEvent.published_at.is_(None),
        or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
    )
    candidates = select(OutboxEvent.id).where(free).order_by(OutboxEvent.created_at).limit(limit)
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(candidates.scalar_subquery()), free)
        .values(claimed_by=relay_id, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.claimed_by == relay_id, OutboxEvent.published_at.is_(None))
        .order_by(OutboxEvent.created_at)
    )
    return list(rows)


async def mark_dispatched(session: AsyncSession, event_id: uuid.UUID, now: datetime) -> bool:
    """True for exactly one caller: the one whose transaction writes this event's outlets."""
    result = await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == event_id, OutboxEvent.dispatched_at.is_(None))
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def mark_published(session: AsyncSession, event_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == event_id)
        .values(published_at=now, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


async def preferences(
    session: AsyncSession, user_ids: Sequence[uuid.UUID], event_type: str
) -> dict[uuid.UUID, Channels]:
    rows = await session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.user_id.in_(user_ids), NotificationPreference.event_type == event_type
        )
    )
    return {row.user_id: Channels(in_app=row.in_app, email=row.email, push=row.push) for row in rows}


async def outlets_of(
    session: AsyncSession, event_id: uuid.UUID
) -> tuple[list[tuple[uuid.UUID, uuid.UUID, bool, bool]], list[uuid.UUID], list[uuid.UUID]]:
    """(notification id, recipient, in app, by email) for each notification, the webhook delivery ids and the
    push delivery ids."""
    notifications = await session.execute(
        select(Notification.id, Notification.user_id, Notification.in_app, Notification.email).where(
            Notification.event_id == event_id
        )
    )
    deliveries = await session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.event_id == event_id))
    pushes = await session.scalars(
        select(PushDelivery.id)
        .join(Notification, Notification.id == PushDelivery.notification_id)
        .where(Notification.event_id == event_id)
    )
    return [tuple(row) for row in notifications.all()], list(deliveries), list(pushes)  # type: ignore[misc]


async def pending(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many events await the relay, and when the oldest of them was committed."""
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxEvent.created_at)).where(OutboxEvent.published_at.is_(None))
        )
    ).one()
    return int(count), oldest
