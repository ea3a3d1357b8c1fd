from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.persistence.base import Entity


class OutboxEvent(Entity):
    """An event written in the same transaction as the change it records; dispatched after commit.

    ``dispatched_at``: notifications and webhook deliveries were written (once, in one transaction).
    ``published_at``: the live message went to the pubsub. A relay claims rows for a short lease.
    """

    __tablename__ = "outbox"

    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    audience: Mapped[list[str]] = mapped_column(JSON)
    dispatched_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    claimed_by: Mapped[uuid.UUID | None]
    claimed_until: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_pending", "published_at", "created_at"),)
