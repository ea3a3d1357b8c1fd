"""Subscriptions to paid plans, as Stripe Billing last told us about them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.plans import SubscriptionStatus
from lensgraph.persistence.base import Entity
from lensgraph.persistence.models.payments import STRIPE_ID


class Subscription(Entity):
    """A user's one subscription (none: the free plan of their role)."""

    __tablename__ = "subscriptions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    plan_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[SubscriptionStatus] = mapped_column(
        Enum(SubscriptionStatus, name="subscription_status", native_enum=False, length=20)
    )
    stripe_customer_id: Mapped[str | None] = mapped_column(STRIPE_ID)
    stripe_subscription_id: Mapped[str | None] = mapped_column(STRIPE_ID, unique=True)
    # The checkout that starts the subscription, handed out again while it is open.
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(STRIPE_ID, unique=True)
    checkout_url: Mapped[str | None] = mapped_column(String(2000))
    checkout_expires_at: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
