"""Idempotent mutations: the rules of an ``Idempotency-Key`` (what a valid key is, which requests are the same,
what a stored key answers to a repeat, which outcomes are kept), as Stripe applies them to its own API."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any
from uuid import UUID, uuid5

from lensgraph.domain.errors import DomainError, ErrorCode

MAX_KEY_LENGTH = 255
# How long a key answers for its request: a retry within this replays, after it the key is new again.
KEY_LIFETIME = timedelta(hours=24)
# How long a repeat waits for the first request with its key to finish before answering CONFLICT.
WAIT_FOR_FIRST = timedelta(seconds=10)
# A claim still running after this was left by a process that died: a repeat takes it over.
ABANDONED_AFTER = timedelta(minutes=5)
# Mutations whose answer carries a secret (tokens, API keys, signing secrets, upload URLs, share links): keeping
# the answer would keep the secret, which is stored only hashed or not at all, so these ignore the header.
SECRET_BEARING_MUTATIONS = frozenset(
    {
        "login",
        "refreshToken",
        "createApiKey",
        "createWebhookEndpoint",
        "rotateWebhookSecret",
        "requestUpload",
        "requestPhotoUpload",
        "requestReleaseUpload",
        "setVerificationSharing",
        "purchaseDownload",
        "requestGalleryDownload",
        "rotateCalendarFeed",
    }
)
_DERIVED_IDS = UUID("5b0f3c55-7a51-4a8e-9a43-1d0e5f2c6b7e")


class KeyState(Enum):
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    # The request crashed (5xx, INTERNAL): a retry with the same body may run it again.
    RELEASED = "RELEASED"


class Repeat(Enum):
    """What a request does with a key another request of its caller already holds."""

    REPLAY = "REPLAY"
    REUSED = "REUSED"
    WAIT = "WAIT"
    TAKE_OVER = "TAKE_OVER"
    EXPIRED = "EXPIRED"


class Outcome(Enum):
    """What became of a request that held a key."""

    FINAL = "FINAL"  # it ran: its answer is the key's for good (userErrors and refusals included)
    NOT_RUN = "NOT_RUN"  # the document was refused before running (parse, validation): nothing is kept
    CRASHED = "CRASHED"  # 5xx or INTERNAL: the key is released, still bound to its body


@dataclass(frozen=True)
class HeldKey:
    fingerprint: str
    state: KeyState
    claimed_at: datetime
    expires_at: datetime


def checked_key(raw: str) -> str:
    """The key as sent; an empty or overlong one is refused."""
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters (a UUID is a good choice).",
            ["Idempotency-Key"],
        )
    return key


def fingerprint(query: str, operation_name: str | None, variables: Mapping[str, Any] | None) -> str:
    """The hash of the canonical request: the same query, operation and variables (in any key order) match."""
    canonical = json.dumps(
        {"query": query, "operationName": operation_name, "variables": variables or {}},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def on_repeat(held: HeldKey, request_fingerprint: str, now: datetime) -> Repeat:
    """What a request does on finding its caller's key held: an expired key is forgotten whatever it held;
    another body is refused however the first ended; a finished one replays; a crashed or abandoned one is
    taken over; a running one is waited for."""
    if held.expires_at <= now:
        return Repeat.EXPIRED
    if held.fingerprint != request_fingerprint:
        return Repeat.REUSED
    if held.state is KeyState.DONE:
        return Repeat.REPLAY
    if held.state is KeyState.RELEASED or now - held.claimed_at >= ABANDONED_AFTER:
        return Repeat.TAKE_OVER
    return Repeat.WAIT


def outcome(status: int, body: Mapping[str, Any] | None) -> Outcome:
    """Classifies an answer as Stripe does: kept when the operation ran; not kept when it never started; a crash
    releases the key so that the client may retry."""
    errors = (body or {}).get("errors") or []
    codes = {(error.get("extensions") or {}).get("code") for error in errors if isinstance(error, dict)}
    if status >= 500 or body is None or ErrorCode.INTERNAL.value in codes:
        return Outcome.CRASHED
    ran = body.get("data") is not None or any(isinstance(error, dict) and "path" in error for error in errors)
    return Outcome.FINAL if ran else Outcome.NOT_RUN


def reused_key() -> DomainError:
    return DomainError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        "This Idempotency-Key was used for another request: send a new key for a different request.",
        ["Idempotency-Key"],
    )


def still_running() -> DomainError:
    return DomainError(
        ErrorCode.CONFLICT,
        "A request with this Idempotency-Key is still running: retry once it has finished.",
        ["Idempotency-Key"],
    )


def derived_id(request_key: str, purpose: str) -> UUID:
    """The id of what a request creates for ``purpose``, the same on every retry of the request: what it sends
    to Stripe under its idempotency key is then the same too, as Stripe requires."""
    return uuid5(_DERIVED_IDS, f"{request_key}:{purpose}")
