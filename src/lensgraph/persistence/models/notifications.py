from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.persistence.base import Entity
from lensgraph.persistence.enums import DeliveryStatus, PushPlatform


class Notification(Entity):
    __tablename__ = "notifications"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    in_app: Mapped[bool]
    email: Mapped[bool]
    # Pushed to the person's registered devices (each delivery a PushDelivery).
    push: Mapped[bool] = mapped_column(default=False)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]

    __table_args__ = (
        # One notification per person per event, whatever happens to the relay.
        UniqueConstraint("user_id", "event_id", name="uq_notifications_user_event"),
        Index("ix_notifications_user_created", "user_id", "created_at", "id"),
        Index("ix_notifications_user_unread", "user_id", "in_app", "read_at"),
    )


class NotificationPreference(Entity):
    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    in_app: Mapped[bool]
    email: Mapped[bool]
    push: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("user_id", "event_type", name="uq_notification_preferences_user_event"),)


class PushToken(Entity):
    __tablename__ = "push_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(4096))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[PushPlatform] = mapped_column(
        Enum(PushPlatform, name="push_platform", native_enum=False, length=10)
    )
    # WEB: ``token`` is the subscription's endpoint URL; these are its keys (RFC 8291), base64url.
    web_push_p256dh: Mapped[str | None] = mapped_column(String(100))
    web_push_auth: Mapped[str | None] = mapped_column(String(40))


class PushDelivery(Entity):
    """One notification pushed to one device: at most one per pair, sent once (a lease, then a final status)."""

    __tablename__ = "push_deliveries"

    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    push_token_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("push_tokens.id", ondelete="CASCADE"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, name="push_delivery_status", native_enum=False, length=10)
    )
    attempt_count: Mapped[int] = mapped_column(default=0)
    leased_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    response_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (UniqueConstraint("notification_id", "push_token_id", name="uq_push_deliveries_pair"),)
