"""Storefront engagement (the tracking pixel and beacon of app/tracking.py), counted in memory per content or
product, UTC day and event, and added to the daily totals every few seconds like photo views (``DailyCounter``):
no row per hit, and any number of API nodes add up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from uuid import UUID

from lensgraph.domain import ugc_engagement as rules
from lensgraph.domain.ugc_engagement import Engagement, Hit, Totals
from lensgraph.jobs.analytics import DailyCounter
from lensgraph.persistence import ugc_engagement as queries
from lensgraph.persistence.db import UnitOfWork

# (what: "content" or "product", its id, the UTC day, the event)
EngagementKey = tuple[str, UUID, date, Engagement]


class EngagementCounter(DailyCounter[EngagementKey]):
    def record(self, hits: Iterable[Hit], day: date) -> None:
        for hit in hits:
            self.count(("content", hit.content_id, day, hit.engagement))
            if hit.product_id is not None:
                self.count(("product", hit.product_id, day, hit.engagement))

    async def _write(self, uow: UnitOfWork, taken: Counter[EngagementKey]) -> None:
        by_record: dict[str, dict[tuple[UUID, date], Totals]] = {"content": {}, "product": {}}
        for (of, key, day, engagement), count in taken.items():
            counts_of = by_record[of]
            counts_of[(key, day)] = counts_of.get((key, day), Totals()) + rules.of(engagement, count)
        for of, counts in by_record.items():
            if counts:
                await queries.add_engagement(uow.session, of, counts)
        popularity: dict[UUID, int] = {}
        for (key, _day), totals in by_record["content"].items():
            if totals.popularity:
                popularity[key] = popularity.get(key, 0) + totals.popularity
        await queries.add_popularity(uow.session, popularity)
