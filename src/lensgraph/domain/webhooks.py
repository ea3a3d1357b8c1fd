"""Webhook rules: which URLs may receive, how deliveries are signed, when they are retried."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from lensgraph.domain import outbound
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import check_offered

MAX_ENDPOINTS_PER_USER = 20
SECRET_PREFIX = "whsec_"
# Attempt n (1-based) waits RETRY_DELAYS[n-1] before the next one: about three days in all.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = timedelta(days=3)
TIMESTAMP_TOLERANCE = timedelta(minutes=5)
# After a rotation the previous secret signs too, this long, so receivers can switch without losing events.
ROTATION_OVERLAP = timedelta(hours=24)


class Outcome(enum.Enum):
    """What an answer means for a delivery: done, try again later, or the receiver is gone for good."""

    SUCCEEDED = "SUCCEEDED"
    RETRY = "RETRY"
    GONE = "GONE"


def outcome(status: int | None) -> Outcome:
    """2xx succeeds; ``410 Gone`` says the receiver will never accept again (Standard Webhooks): stop at once;
    anything else, and no answer at all, is retried (redirects included: they are not followed)."""
    if status is not None and 200 <= status < 300:
        return Outcome.SUCCEEDED
    if status == 410:
        return Outcome.GONE
    return Outcome.RETRY


def check_url(url: str, allow_private: bool) -> str:
    """A receiver must be on the public internet: the rules every outgoing request follows."""
    return outbound.check_url(url, allow_private, field="url")


def check_event_types(event_types: Sequence[str]) -> list[str]:
    check_offered(event_types, ["events"])
    if not event_types:
        raise DomainError(ErrorCode.INVALID_INPUT, "Choose at least one event type.", ["events"])
    return sorted(set(event_types))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body`` with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_secrets(
    secret: str, previous_secret: str | None, previous_expires_at: datetime | None, now: datetime
) -> list[str]:
    """The current secret, and the one it replaced until that one's overlap ends."""
    if previous_secret and previous_expires_at is not None and now < previous_expires_at:
        return [secret, previous_secret]
    return [secret]


def signature_header(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> str:
    """``webhook-signature``: one ``v1,<sig>`` per secret, space-separated; a receiver accepts any match."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets)


def rotated(current_secret: str, now: datetime) -> tuple[str, datetime]:
    """On rotation the current secret becomes the previous one, valid ``ROTATION_OVERLAP`` more; an older
    previous secret (a second rotation within the overlap) stops at once."""
    return current_secret, now + ROTATION_OVERLAP


def verify(secret: str, message_id: str, timestamp: int, body: bytes, signature_header: str, now: datetime) -> bool:
    """What a receiver does: a fresh timestamp and one matching signature among those sent."""
    if abs(now.timestamp() - timestamp) > TIMESTAMP_TOLERANCE.total_seconds():
        return False
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signature_header.split())


def next_attempt(attempts_made: int, now: datetime, rng: random.Random | None = None) -> datetime | None:
    """When to try again after ``attempts_made`` failures, with ±20 % jitter; None when it is time to give up."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[attempts_made - 1]
    jitter = (rng or random).uniform(0.8, 1.2)
    return now + delay * jitter


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= DISABLE_AFTER
