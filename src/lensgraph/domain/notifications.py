"""Notification preferences: which events reach a person in the app, by email and by push to their devices."""

from __future__ import annotations

from dataclasses import dataclass

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import CATALOGUE, EMITTED_TYPES, check_offered

# Security notices are always sent by email; a person cannot opt out of learning that a key was made.
ALWAYS_EMAILED = frozenset(
    {"api_key.created", "password.changed", "webhook_endpoint.disabled", "account.deletion_scheduled"}
)
# Events that are never a notification: the welcome is the verification mail, tests go to webhooks only.
NOT_NOTIFIED = frozenset({"user.registered", "webhook.test"})
MAX_PUSH_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool
    # Pushed to every device the person registered (none registered: nothing is pushed). Registering a device is
    # the opt-in, so push is on by default; the person turns it off per event type.
    push: bool = True


DEFAULT_CHANNELS = Channels(in_app=True, email=False, push=True)


def channels_for(event_type: str, chosen: Channels | None) -> Channels:
    """The person's choice for this event type, or the default; security notices always go by email."""
    chosen = chosen or DEFAULT_CHANNELS
    if event_type in ALWAYS_EMAILED:
        return Channels(in_app=chosen.in_app, email=True, push=chosen.push)
    return chosen


def notifiable(event_type: str) -> bool:
    """Emitted and meant for people: the types the relay notifies and preferences offer."""
    return event_type in EMITTED_TYPES and event_type not in NOT_NOTIFIED


def check_preference_event(event_type: str) -> str:
    check_offered([event_type], ["eventType"])
    if not notifiable(event_type):
        raise DomainError(ErrorCode.INVALID_INPUT, f"{event_type!r} is not a notification type.", ["eventType"])
    return event_type


def summary(event_type: str) -> str:
    return CATALOGUE[event_type].summary


def check_push_token(token: str) -> str:
    token = token.strip()
    if not token or len(token) > MAX_PUSH_TOKEN_LENGTH:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the device's push token.", ["token"])
    return token
