"""Notifications, preferences, push tokens and the notificationReceived subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from lensgraph.domain.events import public_payload
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import owns
from lensgraph.persistence import enums
from lensgraph.persistence.models import Notification as NotificationRow
from lensgraph.resolvers import notifications
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    AcknowledgedPayload,
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.subscriptions import until_credential_expires

PushPlatform = strawberry.enum(enums.PushPlatform, description="Where a push token comes from.")


@node_type
@strawberry.type(description="Something that happened that concerns you.")
class Notification(Node):
    event_type: str = strawberry.field(description="The event behind it, e.g. `license.countered`.")
    message: str
    data: JSON = strawberry.field(
        description="The event's payload: global IDs (for `node(id:)`) and small facts; "
        "its JSON Schema per event type is in docs/events.schema.json."
    )
    read: bool
    read_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: NotificationRow) -> Notification:
        return cls(
            id=to_global_id("Notification", row.id),
            event_type=row.event_type,
            message=row.message,
            data=JSON(public_payload(row.event_type, row.data)),
            read=row.read_at is not None,
            read_at=row.read_at,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Notification | None:
        row = await info.context.loaders.notification.load(key)
        if row is None or not row.in_app or not owns(info.context.viewer, row.user_id):
            return None
        return cls.from_row(row)


@strawberry.type(description="How you hear about one kind of event.")
class NotificationPreference:
    event_type: str
    in_app: bool
    email: bool
    push: bool = strawberry.field(
        description="Pushed to the devices and browsers you registered (registerPushToken); on by default."
    )


@strawberry.input
class NotificationPreferenceInput:
    event_type: str
    in_app: bool
    email: bool
    push: bool | None = strawberry.field(default=None, description="Omitted: as it was.")


@strawberry.input
class UpdateNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput]


@strawberry.type
class UpdateNotificationPreferencesPayload:
    preferences: list[NotificationPreference] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MarkNotificationReadInput:
    id: strawberry.ID


@strawberry.type
class MarkNotificationReadPayload:
    notification: Notification | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MarkAllNotificationsReadPayload:
    marked_count: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A browser's PushSubscription (its toJSON(): endpoint and keys), for Web Push.")
class WebPushSubscriptionInput:
    endpoint: str = strawberry.field(description="The push service URL the browser gave (https).")
    p256dh: str = strawberry.field(description="keys.p256dh: the browser's P-256 public key, base64url.")
    auth: str = strawberry.field(description="keys.auth: the 16-byte authentication secret, base64url.")


@strawberry.input
class RegisterPushTokenInput:
    token: str | None = strawberry.field(
        default=None,
        description="IOS and ANDROID: the FCM registration token. WEB: give webPush instead "
        "(or the PushSubscription JSON here).",
    )
    platform: PushPlatform  # type: ignore[valid-type]
    web_push: WebPushSubscriptionInput | None = None


@strawberry.input
class UnregisterPushTokenInput:
    token: str = strawberry.field(description="The token, or for WEB the subscription's endpoint.")


def _preferences(items: list[notifications.Preference]) -> list[NotificationPreference]:
    return [
        NotificationPreference(event_type=i.event_type, in_app=i.in_app, email=i.email, push=bool(i.push))
        for i in items
    ]


@strawberry.type
class ViewerNotifications:
    """Fields of ``Viewer`` about notifications."""

    @strawberry.field(description="Your in-app notifications, newest first.")
    async def notifications(
        self,
        info: Info[Context, None],
        unread_only: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Notification]:
        page = await notifications.list_notifications(
            info.context, unread_only=unread_only, page=page_request(first, after, last, before)
        )
        return Connection[Notification].from_page(page, Notification.from_row)

    @strawberry.field
    async def unread_notification_count(self, info: Info[Context, None]) -> int:
        return await notifications.unread_count(info.context)

    @strawberry.field(description="Every notification type with the channels you chose, or the defaults.")
    async def notification_preferences(self, info: Info[Context, None]) -> list[NotificationPreference]:
        return _preferences(await notifications.preferences(info.context))


@strawberry.type
class NotificationMutations:
    @strawberry.mutation
    @returns_user_errors(MarkNotificationReadPayload)
    async def mark_notification_read(
        self, info: Info[Context, None], input: MarkNotificationReadInput
    ) -> MarkNotificationReadPayload:
        row = await notifications.mark_read(info.context, expect_global_id(input.id, "Notification"))
        return MarkNotificationReadPayload(notification=Notification.from_row(row))

    @strawberry.mutation
    @returns_user_errors(MarkAllNotificationsReadPayload)
    async def mark_all_notifications_read(self, info: Info[Context, None]) -> MarkAllNotificationsReadPayload:
        return MarkAllNotificationsReadPayload(marked_count=await notifications.mark_all_read(info.context))

    @strawberry.mutation(description="Choose, per event type, whether you hear of it in the app and by email.")
    @returns_user_errors(UpdateNotificationPreferencesPayload)
    async def update_notification_preferences(
        self, info: Info[Context, None], input: UpdateNotificationPreferencesInput
    ) -> UpdateNotificationPreferencesPayload:
        changes = [notifications.Preference(p.event_type, p.in_app, p.email, p.push) for p in input.preferences]
        saved = await notifications.update_preferences(info.context, changes)
        return UpdateNotificationPreferencesPayload(preferences=_preferences(saved))

    @strawberry.mutation(
        description="Remember a device (FCM token) or a browser (Web Push subscription) for push notifications."
    )
    @returns_user_errors(AcknowledgedPayload)
    async def register_push_token(
        self, info: Info[Context, None], input: RegisterPushTokenInput
    ) -> AcknowledgedPayload:
        keys = input.web_push
        await notifications.register_push_token(
            info.context,
            token=input.token,
            platform=input.platform,
            web_push=notifications.WebPushKeys(keys.endpoint, keys.p256dh, keys.auth) if keys else None,
        )
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation
    @returns_user_errors(AcknowledgedPayload)
    async def unregister_push_token(
        self, info: Info[Context, None], input: UnregisterPushTokenInput
    ) -> AcknowledgedPayload:
        await notifications.unregister_push_token(info.context, token=input.token)
        return AcknowledgedPayload(ok=True)


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="The VAPID public key (base64url) a browser subscribes with: "
        "pushManager.subscribe({applicationServerKey}). Null when this server has no Web Push key."
    )
    def push_public_key(self, info: Info[Context, None]) -> str | None:
        return notifications.push_public_key(info.context)


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(description="Your notifications as they are created. Ends when the access token expires.")
    async def notification_received(self, info: Info[Context, None]) -> AsyncGenerator[Notification, None]:
        rows = notifications.live_notifications(info.context)
        async for row in until_credential_expires(info.context.request, rows):
            yield Notification.from_row(row)
