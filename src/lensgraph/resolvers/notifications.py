"""In-app notifications, preferences, push registrations, and the live feed behind notificationReceived."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

from lensgraph.adapters.push import vapid_public_key_of
from lensgraph.adapters.tokens import digest
from lensgraph.domain import notifications as rules
from lensgraph.domain import push as push_rules
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
    # None in a change: as it was (the input field is optional, for clients written before push).
    push: bool | None = None


@dataclass(frozen=True)
class WebPushKeys:
    endpoint: str
    p256dh: str
    auth: str


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
    return [
        Preference(event_type, chosen.in_app, chosen.email, chosen.push)
        for event_type, chosen in _chosen(stored).items()
    ]


def _chosen(stored: dict[str, rules.Channels]) -> dict[str, rules.Channels]:
    offered = sorted(event_type for event_type in EMITTED_TYPES if rules.notifiable(event_type))
    return {event_type: rules.channels_for(event_type, stored.get(event_type)) for event_type in offered}


async def update_preferences(ctx: Context, changes: list[Preference]) -> list[Preference]:
    viewer = ctx.require_viewer()
    for change in changes:
        rules.check_preference_event(change.event_type)
    async with ctx.db.unit_of_work() as uow:
        stored = await queries.stored_preferences(uow.session, viewer.user_id)
        for change in changes:
            kept = stored.get(change.event_type, rules.DEFAULT_CHANNELS).push
            push = kept if change.push is None else change.push
            channels = rules.Channels(in_app=change.in_app, email=change.email, push=push)
            await queries.save_preference(uow.session, viewer.user_id, change.event_type, channels)
    return await preferences(ctx)


def push_public_key(ctx: Context) -> str | None:
    """The VAPID public key browsers subscribe with (``applicationServerKey``); None: Web Push is not configured."""
    key = ctx.settings.vapid_private_key
    return vapid_public_key_of(key.get_secret_value()) if key is not None else None


async def register_push_token(
    ctx: Context, *, token: str | None, platform: PushPlatform, web_push: WebPushKeys | None
) -> PushToken:
    """A device belongs to whoever registered it last: devices change hands. A browser (WEB) registers its
    PushSubscription (``webPush``, or its JSON as the token): the endpoint is the token, the keys are kept."""
    viewer = ctx.require_viewer()
    subscription: push_rules.WebPushSubscription | None = None
    if platform is PushPlatform.WEB:
        parts = (web_push.endpoint, web_push.p256dh, web_push.auth) if web_push else None
        parts = parts or push_rules.parse_subscription_json(token or "")
        if parts is None:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "A browser registers its PushSubscription: give webPush.", ["webPush"]
            )
        subscription = push_rules.check_web_push(*parts, allow_insecure=ctx.settings.outbound_allow_private)
        token = subscription.endpoint
    elif web_push is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, "webPush is for WEB registrations only.", ["webPush"])
    token = rules.check_push_token(token or "")
    async with ctx.db.unit_of_work() as uow:
        row = await queries.push_token_by_hash(uow.session, digest(token))
        if row is None:
            row = PushToken(user_id=viewer.user_id, token=token, token_hash=digest(token), platform=platform)
            uow.session.add(row)
        else:
            row.user_id, row.platform = viewer.user_id, platform
        row.web_push_p256dh = subscription.p256dh if subscription else None
        row.web_push_auth = subscription.auth if subscription else None
        await uow.session.flush()
        return row


async def unregister_push_token(ctx: Context, *, token: str) -> None:
    viewer = ctx.require_viewer()
    subscription = push_rules.parse_subscription_json(token)
    token = subscription[0] if subscription else token
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
