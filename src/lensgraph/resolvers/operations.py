"""What an operator watches besides requests: the work waiting behind them."""

from __future__ import annotations

from dataclasses import dataclass

from lensgraph.persistence import outbox, webhooks
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.enums import DeliveryStatus
from lensgraph.resolvers.context import Services


@dataclass(frozen=True)
class Backlog:
    outbox_pending: int
    # 0 when nothing is pending; a growing age means no relay is running, or it cannot keep up.
    outbox_oldest_age_seconds: float
    webhook_deliveries_retrying: int
    webhook_deliveries_failed: int


async def backlog(services: Services) -> Backlog:
    async with services.db.session() as session:
        pending, oldest = await outbox.pending(session)
        deliveries = await webhooks.unsettled_deliveries(session)
    return Backlog(
        outbox_pending=pending,
        outbox_oldest_age_seconds=(utcnow() - oldest).total_seconds() if oldest else 0.0,
        webhook_deliveries_retrying=deliveries[DeliveryStatus.PENDING],
        webhook_deliveries_failed=deliveries[DeliveryStatus.FAILED],
    )
