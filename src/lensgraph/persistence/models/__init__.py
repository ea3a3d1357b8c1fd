"""All models, imported so that ``Base.metadata`` knows every table."""

from lensgraph.persistence.models.accounts import ApiKey, OneTimeToken, RefreshToken, User
from lensgraph.persistence.models.notifications import Notification, NotificationPreference, PushToken
from lensgraph.persistence.models.outbox import OutboxEvent
from lensgraph.persistence.models.photos import Photo, Upload
from lensgraph.persistence.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey",
    "Notification",
    "NotificationPreference",
    "OneTimeToken",
    "OutboxEvent",
    "Photo",
    "PushToken",
    "RefreshToken",
    "Upload",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
