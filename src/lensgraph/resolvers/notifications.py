"""In-app notifications, preferences, push tokens, and the live feed behind notificationReceived."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

from lensgraph.adapters.tokens import digest
from lensgraph.domain import notifications as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import EMITTED_TYPES
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import owns
from lensgraph.jobs.relay import user_channel
from lensgraph.persistence import notifications as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.enums import PushPlatform
from lensgraph.persistence.models import Notification, PushToken
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import live
from lensgraph.resolvers.context import Context

# Notification ids a subscription remembers, to drop a message the relay published twice.
SEEN_LIMIT = 1000


@dataclass(frozen=True)
class Preference:
    event_type: str
    in_app: bool
    email: bool


async def list_notifications(ctx: Context, *, unread_only: bool, page: PageRequest) -> Page[Notification]:
    viewer = ctx.require_viewer()
    query = queries.in_app_for(viewer.user_id, unread_only=unread_only)
    return await paginate(
        ctx.reads,
        query,
        [Notification.created_at, Notification.id],
        page,
        descending=True,
    )


async def unread_count(ctx: Context) -> int:
    viewer = ctx.require_viewer()
    async with ctx.db.session() as session:
        return await queries.unread_count(session, viewer.user_id)


async def mark_read(ctx: Context, notification_id: UUID) -> Notification:
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        row = await uow.session.get(Notification, notification_id)
        if row is None or not row.in_app or not owns(ctx.viewer, row.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such notification.", ["id"])
        row.read_at = row.read_at or utcnow()
        return row


async def mark_all_read(ctx: Context) -> int:
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        return await queries.mark_all_read(uow.session, viewer.user_id, utcnow())


async def preferences(ctx: Context) -> list[Preference]:
    """Every notification type something emits, with the person's choice or the default."""
    viewer = ctx.require_viewer()
    async with ctx.db.session() as session:
        stored = await queries.stored_preferences(session, viewer.user_id)
    offered = sorted(event_type for event_type in EMITTED_TYPES if rules.notifiable(event_type))
    chosen = {event_type: rules.channels_for(event_type, stored.get(event_type)) for event_type in offered}
    return [Preference(event_type, chosen[event_type].in_app, chosen[event_type].email) for event_type in offered]


async def update_preferences(ctx: Context, changes: list[Preference]) -> list[Preference]:
    viewer = ctx.require_viewer()
    for change in changes:
        rules.check_preference_event(change.event_type)
    async with ctx.db.unit_of_work() as uow:
        for change in changes:
            channels = rules.Channels(in_app=change.in_app, email=change.email)
            await queries.save_preference(uow.session, viewer.user_id, change.event_type, channels)
    return await preferences(ctx)


async def register_push_token(ctx: Context, *, token: str, platform: PushPlatform) -> PushToken:
    """A device token belongs to whoever registered it last: devices change hands."""
    viewer = ctx.require_viewer()
    token = rules.check_push_token(token)
    async with ctx.db.unit_of_work() as uow:
        row = await queries.push_token_by_hash(uow.session, digest(token))
        if row is None:
            row = PushToken(user_id=viewer.user_id, token=token, token_hash=digest(token), platform=platform)
            uow.session.add(row)
        else:
            row.user_id, row.platform = viewer.user_id, platform
        await uow.session.flush()
        return row


async def unregister_push_token(ctx: Context, *, token: str) -> None:
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        row = await queries.push_token_by_hash(uow.session, digest(token.strip()))
        if row is None or not owns(viewer, row.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "This device token is not registered to you.", ["token"])
        await uow.session.delete(row)


async def live_notifications(ctx: Context) -> AsyncIterator[Notification]:
    """Each message is re-read and re-authorised with a short session; the socket holds none open."""
    viewer = ctx.require_viewer()
    seen: OrderedDict[str, None] = OrderedDict()
    async for message in live.messages(ctx, viewer, user_channel(viewer.user_id)):
        notification_id = str(message.get("notificationId", ""))
        if notification_id in seen:
            continue
        seen[notification_id] = None
        if len(seen) > SEEN_LIMIT:
            seen.popitem(last=False)
        async with ctx.db.session() as session:
            row = await session.get(Notification, UUID(notification_id))
        if row is not None and row.in_app and owns(viewer, row.user_id):
            yield row
