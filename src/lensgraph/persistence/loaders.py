"""Dataloader batch functions: one SQL statement per batch, results in the order of the keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from uuid import UUID

from aiodataloader import DataLoader
from sqlalchemy import select

from lensgraph.persistence.base import Entity
from lensgraph.persistence.db import Database
from lensgraph.persistence.models import ApiKey, Notification, Photo, User, WebhookDelivery, WebhookEndpoint

M = TypeVar("M", bound=Entity)


def _by_id(db: Database, model: type[M]) -> DataLoader[UUID, M | None]:
    async def batch(ids: Sequence[UUID]) -> list[M | None]:
        async with db.session() as session:
            rows = (await session.scalars(select(model).where(model.id.in_(ids)))).all()
        by_id = {row.id: row for row in rows}
        return [by_id.get(key) for key in ids]

    return DataLoader(batch)


class Loaders:
    """Created per request: no cache is shared between requests or users."""

    def __init__(self, db: Database) -> None:
        self.user = _by_id(db, User)
        self.api_key = _by_id(db, ApiKey)
        self.notification = _by_id(db, Notification)
        self.photo = _by_id(db, Photo)
        self.webhook_endpoint = _by_id(db, WebhookEndpoint)
        self.webhook_delivery = _by_id(db, WebhookDelivery)
