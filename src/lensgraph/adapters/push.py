"""Push services: Web Push to browsers (RFC 8030, VAPID RFC 8292, aes128gcm payloads RFC 8291, with pywebpush)
and Firebase Cloud Messaging HTTP v1 to iOS and Android apps (OAuth2 JWT-bearer token from a service account).

Every request goes through the guarded outbound client (adapters/outbound_http.py): an endpoint is a URL a browser
gave us, so it gets the webhooks' treatment (public addresses only, checked when connecting, no redirects).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import RSAKey
from py_vapid import Vapid02
from pywebpush import WebPusher

from lensgraph.adapters.outbound_http import AddressNotAllowed, OutboundHttp
from lensgraph.domain.push import PUSH_TTL_SECONDS, WebPushSubscription, fcm_error_code

__all__ = [
    "AddressNotAllowed",
    "Answer",
    "FcmClient",
    "PushServices",
    "VapidKeys",
    "WebPushSender",
    "create_push_services",
    "generate_vapid_keys",
    "vapid_public_key_of",
]

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# An access token is taken for new once it has less than this left.
TOKEN_MARGIN_SECONDS = 300
VAPID_LIFETIME_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Answer:
    """What a push service said: its status (None when no answer came) and, for FCM, its error code."""

    status: int | None
    error: str | None = None
    fcm_error: str | None = None
    # Failed for a reason of ours (the service is not configured, our credentials refused): not retried.
    final: bool = False


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url of the raw 32-byte scalar: LENSGRAPH_VAPID_PRIVATE_KEY
    public_key: str  # base64url of the uncompressed point: the applicationServerKey browsers subscribe with


def generate_vapid_keys() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    return VapidKeys(_b64url(key.private_numbers().private_value.to_bytes(32, "big")), vapid_public_key(key))


def vapid_public_key(key: ec.EllipticCurvePrivateKey) -> str:
    return _b64url(
        key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


@functools.cache
def vapid_public_key_of(private_key: str) -> str:
    """The public half of LENSGRAPH_VAPID_PRIVATE_KEY, as browsers want it for ``applicationServerKey``."""
    return vapid_public_key(Vapid02.from_raw(private_key.encode()).private_key)


class WebPushSender:
    """Encrypts a message for one subscription and POSTs it, signed with the server's VAPID key."""

    def __init__(self, private_key: str, subject: str, outbound: OutboundHttp) -> None:
        self._vapid = Vapid02.from_raw(private_key.encode())
        self.public_key = vapid_public_key(self._vapid.private_key)
        self._subject = subject
        self._outbound = outbound

    async def send(self, subscription: WebPushSubscription, message: dict[str, Any]) -> Answer:
        parts = urlsplit(subscription.endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "sub": self._subject,
            "exp": int(time.time()) + VAPID_LIFETIME_SECONDS,
        }
        pusher = WebPusher(
            {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        )
        # Encrypting and signing are CPU work (ECDH, ECDSA): off the event loop.
        body, authorization = await asyncio.to_thread(
            lambda: (
                pusher.encode(json.dumps(message, separators=(",", ":")).encode(), "aes128gcm")["body"],
                self._vapid.sign(claims)["Authorization"],
            )
        )
        headers = {
            "authorization": authorization,
            "content-encoding": "aes128gcm",
            "content-type": "application/octet-stream",
            "ttl": str(PUSH_TTL_SECONDS),
            "urgency": "normal",
        }
        try:
            response = await self._outbound.post(subscription.endpoint, bytes(body), headers)
        except AddressNotAllowed as refused:
            return Answer(None, str(refused)[:500], final=True)
        except (httpx.HTTPError, OSError) as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:500])
        return Answer(response.status_code, None if response.is_success else response.text[:500])


@dataclass(frozen=True)
class ServiceAccount:
    project_id: str
    client_email: str
    private_key: str
    private_key_id: str | None
    token_uri: str

    @classmethod
    def from_file(cls, path: Path) -> ServiceAccount:
        """The JSON key file a Google Cloud service account downloads (``"type": "service_account"``)."""
        values = json.loads(path.read_text())
        return cls(
            project_id=values["project_id"],
            client_email=values["client_email"],
            private_key=values["private_key"],
            private_key_id=values.get("private_key_id"),
            token_uri=values.get("token_uri") or "https://oauth2.googleapis.com/token",
        )


class FcmClient:
    """``POST {api_base}/v1/projects/{project}/messages:send`` with a bearer token it exchanges a signed JWT for
    (RFC 7523) and keeps until shortly before it expires."""

    def __init__(self, account: ServiceAccount, api_base: str, outbound: OutboundHttp) -> None:
        self._account = account
        self._key = RSAKey.import_key(account.private_key)
        self._url = f"{api_base.rstrip('/')}/v1/projects/{account.project_id}/messages:send"
        self._outbound = outbound
        self._token: tuple[str, float] | None = None
        self._lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> Answer:
        try:
            token = await self._access_token()
            response = await self._outbound.post(
                self._url,
                json.dumps(message).encode(),
                {"authorization": f"Bearer {token}", "content-type": "application/json"},
            )
        except (TokenRefused, AddressNotAllowed) as exc:
            return Answer(None, str(exc)[:500], final=True)
        except (httpx.HTTPError, OSError) as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:500])
        if response.status_code == 401:
            self._token = None  # revoked or expired early: the retry exchanges again
            return Answer(None, "FCM refused the access token")
        if response.is_success:
            return Answer(response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = None
        return Answer(response.status_code, response.text[:500], fcm_error_code(body))

    async def _access_token(self) -> str:
        async with self._lock:
            if self._token is not None and self._token[1] - TOKEN_MARGIN_SECONDS > time.time():
                return self._token[0]
            now = int(time.time())
            assertion = jwt.encode(
                {
                    "alg": "RS256",
                    "typ": "JWT",
                    **({"kid": self._account.private_key_id} if self._account.private_key_id else {}),
                },
                {
                    "iss": self._account.client_email,
                    "scope": FCM_SCOPE,
                    "aud": self._account.token_uri,
                    "iat": now,
                    "exp": now + 3600,
                },
                self._key,
            )
            form = urlencode({"grant_type": JWT_BEARER, "assertion": assertion}).encode()
            response = await self._outbound.post(
                self._account.token_uri, form, {"content-type": "application/x-www-form-urlencoded"}
            )
            if response.status_code >= 500:
                raise httpx.HTTPStatusError("the token endpoint failed", request=response.request, response=response)
            if not response.is_success:
                raise TokenRefused(f"the token endpoint answered {response.status_code}: {response.text[:200]}")
            answer = response.json()
            self._token = (str(answer["access_token"]), time.time() + float(answer.get("expires_in", 3600)))
            return self._token[0]


class TokenRefused(Exception):
    """The OAuth2 token endpoint refused the service account (a 4xx): nothing is sent until it is fixed."""


@dataclass
class PushServices:
    """The push services this server can use: None for one whose credentials are not configured."""

    web: WebPushSender | None
    fcm: FcmClient | None


def create_push_services(
    *,
    vapid_private_key: str | None,
    vapid_subject: str,
    fcm_credentials_file: Path | None,
    fcm_api_base: str,
    outbound: OutboundHttp,
) -> PushServices:
    web = WebPushSender(vapid_private_key, vapid_subject, outbound) if vapid_private_key else None
    fcm = None
    if fcm_credentials_file is not None:
        fcm = FcmClient(ServiceAccount.from_file(fcm_credentials_file), fcm_api_base, outbound)
    return PushServices(web, fcm)
