"""Queries for webhook endpoints and deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.persistence.enums import DeliveryStatus
from lensgraph.persistence.models import WebhookDelivery, WebhookEndpoint


def endpoints_of(user_id: uuid.UUID) -> Select[WebhookEndpoint]:
    return select(WebhookEndpoint).where(WebhookEndpoint.user_id == user_id)


def deliveries_of(endpoint_id: uuid.UUID) -> Select[WebhookDelivery]:
    return select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)


async def count_endpoints(session: AsyncSession, user_id: uuid.UUID) -> int:
    return int(await session.scalar(endpoints_of(user_id).with_only_columns(func.count())) or 0)


async def subscribed_endpoints(
    session: AsyncSession, user_ids: Sequence[uuid.UUID], event_type: str
) -> list[WebhookEndpoint]:
    """JSON columns differ between SQLite and PostgreSQL, so the event filter is applied here."""
    rows = await session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.user_id.in_(user_ids), WebhookEndpoint.enabled.is_(True))
    )
    return [row for row in rows if event_type in row.events]


async def due_deliveries(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return list(rows)


async def lease_delivery(session: AsyncSession, delivery_id: uuid.UUID, now: datetime, lease: timedelta) -> bool:
    """One attempt at a time: whoever moves ``next_attempt_at`` past now owns this attempt."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def record_attempt(session: AsyncSession, delivery_id: uuid.UUID, values: dict[str, Any]) -> None:
    await session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))


async def unsettled_deliveries(session: AsyncSession) -> dict[DeliveryStatus, int]:
    """Deliveries still retrying and deliveries given up on; succeeded ones are not counted (they pile up)."""
    rows = await session.execute(
        select(WebhookDelivery.status, func.count())
        .where(WebhookDelivery.status != DeliveryStatus.SUCCEEDED)
        .group_by(WebhookDelivery.status)
    )
    counts = {DeliveryStatus.PENDING: 0, DeliveryStatus.FAILED: 0}
    counts.update({status: int(count) for status, count in rows})
    return counts
