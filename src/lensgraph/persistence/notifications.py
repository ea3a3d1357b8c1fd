"""Queries for notifications, preferences and push tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.notifications import Channels
from lensgraph.persistence.base import dialect_insert, utcnow
from lensgraph.persistence.enums import DeliveryStatus
from lensgraph.persistence.models import Notification, NotificationPreference, PushDelivery, PushToken


def in_app_for(user_id: UUID, *, unread_only: bool) -> Select[Notification]:
    query = select(Notification).where(Notification.user_id == user_id, Notification.in_app.is_(True))
    return query.where(Notification.read_at.is_(None)) if unread_only else query


async def unread_count(session: AsyncSession, user_id: UUID) -> int:
    query = in_app_for(user_id, unread_only=True).with_only_columns(func.count()).order_by(None)
    return int(await session.scalar(query) or 0)


async def mark_all_read(session: AsyncSession, user_id: UUID, now: datetime) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


async def stored_preferences(session: AsyncSession, user_id: UUID) -> dict[str, Channels]:
    rows = await session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    return {row.event_type: Channels(in_app=row.in_app, email=row.email, push=row.push) for row in rows}


async def save_preference(session: AsyncSession, user_id: UUID, event_type: str, channels: Channels) -> None:
    """An upsert on (user, event type): concurrent saves cannot collide on the unique key."""
    now = utcnow()
    statement = dialect_insert(session, NotificationPreference).values(
        id=uuid4(),
        user_id=user_id,
        event_type=event_type,
        in_app=channels.in_app,
        email=channels.email,
        push=channels.push,
        created_at=now,
        updated_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "event_type"],
            set_={"in_app": channels.in_app, "email": channels.email, "push": channels.push, "updated_at": now},
        )
    )


async def push_token_by_hash(session: AsyncSession, token_hash: str) -> PushToken | None:
    return await session.scalar(select(PushToken).where(PushToken.token_hash == token_hash))


async def claim_email(session: AsyncSession, notification_id: UUID, now: datetime) -> bool:
    """True once per notification: the caller that sets ``emailed_at`` sends the mail."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.email.is_(True), Notification.emailed_at.is_(None))
        .values(emailed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def push_tokens_of(session: AsyncSession, user_ids: Sequence[UUID]) -> dict[UUID, list[UUID]]:
    """The devices each person registered: the push deliveries a notification fans out to."""
    rows = await session.execute(select(PushToken.user_id, PushToken.id).where(PushToken.user_id.in_(user_ids)))
    found: dict[UUID, list[UUID]] = {}
    for user_id, token_id in rows:
        found.setdefault(user_id, []).append(token_id)
    return found


async def lease_push(session: AsyncSession, delivery_id: UUID, now: datetime, lease: timedelta) -> bool:
    """One attempt at a time, none after the last: whoever moves ``leased_until`` past now owns this attempt."""
    result = await session.execute(
        update(PushDelivery)
        .where(
            PushDelivery.id == delivery_id,
            PushDelivery.status == DeliveryStatus.PENDING,
            (PushDelivery.leased_until.is_(None)) | (PushDelivery.leased_until <= now),
        )
        .values(leased_until=now + lease, attempt_count=PushDelivery.attempt_count + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def push_delivery_parts(
    session: AsyncSession, delivery_id: UUID
) -> tuple[PushDelivery, Notification, PushToken] | None:
    row = (
        await session.execute(
            select(PushDelivery, Notification, PushToken)
            .join(Notification, Notification.id == PushDelivery.notification_id)
            .join(PushToken, PushToken.id == PushDelivery.push_token_id)
            .where(PushDelivery.id == delivery_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


async def record_push(session: AsyncSession, delivery_id: UUID, **values: object) -> None:
    await session.execute(
        update(PushDelivery)
        .where(PushDelivery.id == delivery_id)
        .values(leased_until=None, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )


async def forget_push_token(session: AsyncSession, token_id: UUID) -> None:
    """The push service says the device is gone: its token goes, with its deliveries."""
    await session.execute(delete(PushDelivery).where(PushDelivery.push_token_id == token_id))
    await session.execute(delete(PushToken).where(PushToken.id == token_id))


async def due_pushes(session: AsyncSession, now: datetime, stale: timedelta, limit: int) -> list[UUID]:
    """Pending deliveries whose job was lost: a lease that ran out (the worker died while sending), or none taken
    for ``stale`` (the queued message, or its retry, went with a stopped in-memory broker)."""
    rows = await session.scalars(
        select(PushDelivery.id)
        .where(
            PushDelivery.status == DeliveryStatus.PENDING,
            (PushDelivery.leased_until < now)
            | (PushDelivery.leased_until.is_(None) & (PushDelivery.updated_at < now - stale)),
        )
        .limit(limit)
    )
    return list(rows)
