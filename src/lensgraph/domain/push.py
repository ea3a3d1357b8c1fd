"""Push notifications: what a browser subscription must hold, what a push says, and what a push service's answer
means (sent, try again later, the subscription is gone, or failed for good)."""

from __future__ import annotations

import base64
import binascii
import enum
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.outbound import check_url

# RFC 8291: the browser's ECDH key is an uncompressed P-256 point; its authentication secret is 16 bytes.
P256_POINT_BYTES = 65
AUTH_SECRET_BYTES = 16
# How long a push service keeps a message for a device that is offline (RFC 8030 TTL), in seconds.
PUSH_TTL_SECONDS = 24 * 3600
# The JSON a push carries stays well under the 4 KiB push services accept once encrypted.
MAX_DATA_CHARS = 2_000
TITLE = "Lensgraph"


@dataclass(frozen=True)
class WebPushSubscription:
    """A browser's PushSubscription: where to POST, and the keys to encrypt for (base64url, unpadded)."""

    endpoint: str
    p256dh: str
    auth: str


def _b64url(value: str) -> bytes:
    text = value.strip()
    if not text or any(c in text for c in "+/ \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def check_web_push(endpoint: str, p256dh: str, auth: str, *, allow_insecure: bool) -> WebPushSubscription:
    """A subscription we can push to: an https endpoint on the public internet (http and private addresses only
    when ``allow_insecure``, for local development and tests), a valid P-256 point and a 16-byte secret."""
    try:
        url = check_url(endpoint, allow_insecure)
    except DomainError as refused:
        raise DomainError(refused.code, refused.message, ["webPush", "endpoint"]) from None
    if urlsplit(url).scheme != "https" and not allow_insecure:
        raise DomainError(ErrorCode.INVALID_INPUT, "A push endpoint must be an https:// URL.", ["webPush", "endpoint"])
    try:
        point = _b64url(p256dh)
        if len(point) != P256_POINT_BYTES or point[0] != 4:
            raise ValueError("not an uncompressed point")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "p256dh must be the subscription's P-256 public key, base64url.",
            ["webPush", "p256dh"],
        ) from None
    try:
        secret = _b64url(auth)
    except ValueError:
        secret = b""
    if len(secret) != AUTH_SECRET_BYTES:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "auth must be the subscription's 16-byte secret, base64url.", ["webPush", "auth"]
        )
    return WebPushSubscription(url, p256dh.strip().rstrip("="), auth.strip().rstrip("="))


def parse_subscription_json(token: str) -> tuple[str, str, str] | None:
    """``PushSubscription.toJSON()`` sent as the token: (endpoint, p256dh, auth), or None when it is not that."""
    if not token.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(token)
        keys = value["keys"]
        return str(value["endpoint"]), str(keys["p256dh"]), str(keys["auth"])
    except (ValueError, KeyError, TypeError):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "Give the PushSubscription JSON: {endpoint, keys: {p256dh, auth}}.", ["token"]
        ) from None


def web_push_message(
    notification_id: str, event_type: str, message: str, data: dict[str, Any], created_at: str
) -> dict[str, Any]:
    """What a service worker receives (decrypted) in its ``push`` event: enough to show it and to open it."""
    shown = data if len(json.dumps(data)) <= MAX_DATA_CHARS else {}
    return {
        "notificationId": notification_id,
        "eventType": event_type,
        "title": TITLE,
        "body": message,
        "data": shown,
        "createdAt": created_at,
    }


def fcm_message(token: str, push: dict[str, Any]) -> dict[str, Any]:
    """FCM HTTP v1 ``messages:send`` body: a shown notification, and the same facts as string data."""
    return {
        "message": {
            "token": token,
            "notification": {"title": push["title"], "body": push["body"]},
            "data": {
                "notificationId": push["notificationId"],
                "eventType": push["eventType"],
                "data": json.dumps(push["data"], separators=(",", ":")),
            },
            "android": {"ttl": f"{PUSH_TTL_SECONDS}s"},
            "apns": {"headers": {"apns-expiration": "0"}},
        }
    }


class Outcome(enum.Enum):
    SENT = "SENT"
    RETRY = "RETRY"  # 5xx, 429, timeouts, connection failures: tried again later, with backoff
    GONE = "GONE"  # the subscription or token no longer exists: forget it
    FAILED = "FAILED"  # refused for good (a 4xx): not tried again


def outcome(status: int | None, fcm_error: str | None = None) -> Outcome:
    """RFC 8030 push services answer 201; 404/410 mean the subscription expired. FCM answers 200, and
    ``UNREGISTERED`` (usually a 404) for an app that was uninstalled. No status: a timeout or a lost connection.
    429 is too many messages for now (RFC 8030 section 8.4, FCM ``QUOTA_EXCEEDED``): later, with backoff."""
    if status is None or status >= 500 or status == 429:
        return Outcome.RETRY
    if 200 <= status < 300:
        return Outcome.SENT
    if status in (404, 410) or fcm_error == "UNREGISTERED":
        return Outcome.GONE
    return Outcome.FAILED


def fcm_error_code(body: Any) -> str | None:
    """The ``errorCode`` FCM puts in ``error.details`` (``google.firebase.fcm.v1.FcmError``), if any."""
    try:
        details = body["error"]["details"]
    except (KeyError, TypeError):
        return None
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and detail.get("errorCode"):
            return str(detail["errorCode"])
    return None
