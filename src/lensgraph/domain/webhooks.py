"""Webhook rules: which URLs may receive, how deliveries are signed, when they are retried."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import EVENT_TYPES

MAX_URL_LENGTH = 2048
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


def check_url(url: str, allow_private: bool) -> str:
    """http(s) only, a host, no credentials; literal private addresses refused up front."""
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL_LENGTH or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give an http:// or https:// URL with a host.", ["url"])
    if parts.username or parts.password:
        raise DomainError(ErrorCode.INVALID_INPUT, "Credentials in the URL are not allowed.", ["url"])
    if not allow_private:
        host = parts.hostname.rstrip(".")
        if host == "localhost" or host.endswith(".localhost"):
            raise DomainError(ErrorCode.INVALID_INPUT, "Webhooks cannot target this host.", ["url"])
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            return url
        if not is_public_address(literal):
            raise DomainError(ErrorCode.INVALID_INPUT, "Webhooks cannot target private addresses.", ["url"])
    return url


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def all_public(addresses: Iterable[str]) -> bool:
    """Every address a host resolves to must be public: one private answer is enough to refuse."""
    resolved = [ipaddress.ip_address(address) for address in addresses]
    return bool(resolved) and all(is_public_address(address) for address in resolved)


def check_event_types(event_types: Sequence[str]) -> list[str]:
    unknown = sorted(set(event_types) - EVENT_TYPES)
    if unknown:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Unknown event types: {', '.join(unknown)}.", ["events"])
    if not event_types:
        raise DomainError(ErrorCode.INVALID_INPUT, "Choose at least one event type.", ["events"])
    return sorted(set(event_types))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body`` with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


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
