"""Queries for notifications, preferences and push tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.notifications import Channels
from lensgraph.persistence.base import dialect_insert, utcnow
from lensgraph.persistence.models import Notification, NotificationPreference, PushToken


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
    return {row.event_type: Channels(in_app=row.in_app, email=row.email) for row in rows}


async def save_preference(session: AsyncSession, user_id: UUID, event_type: str, channels: Channels) -> None:
    """An upsert on (user, event type): concurrent saves cannot collide on the unique key."""
    now = utcnow()
    statement = dialect_insert(session, NotificationPreference).values(
        id=uuid4(),
        user_id=user_id,
        event_type=event_type,
        in_app=channels.in_app,
        email=channels.email,
        created_at=now,
        updated_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "event_type"],
            set_={"in_app": channels.in_app, "email": channels.email, "updated_at": now},
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
