"""Push services on 127.0.0.1, started and stopped by the tests that use them.

``WebPushReceiver`` is a real receiver for Web Push requests (RFC 8030): it keeps what it is sent and answers as the
test scripts (201 by default). The test decrypts and checks the requests itself, as a browser and its push service
would, with ``http_ece`` and ``cryptography`` (``decrypt`` and ``vapid_claims`` below), not with Lensgraph's code.

``FcmFake`` is a hand-written fake, at the network boundary, of the two Google endpoints FCM senders use: the
OAuth2 token endpoint (RFC 7523 JWT-bearer grant; it checks the assertion's RS256 signature with the service
account's public key, its scope and audience) and FCM HTTP v1 ``messages:send`` (it checks the bearer token it issued
and answers 200 ``{"name": ...}``, or for a token listed in ``unregistered`` 404 with the ``UNREGISTERED`` FcmError).
Written from Google's public documentation, not recorded from Google.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from joserfc import jwt
from joserfc.jwk import RSAKey

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Server:
    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = owner.answer(Received(self.path, headers, body))
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, request: Received) -> tuple[int, Any]:
        raise NotImplementedError


@dataclass
class Browser:
    """What a browser makes when it subscribes: a P-256 key pair and a 16-byte authentication secret."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def decrypt(self, body: bytes) -> Any:
        """RFC 8291 aes128gcm, as the browser decrypts what its push service hands it."""
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


@dataclass
class WebPushReceiver(_Server):
    """``script`` is consumed one status per request, then 201 (Created, as RFC 8030 push services answer)."""

    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/push/{name}"

    def answer(self, request: Received) -> tuple[int, Any]:
        self.received.append(request)
        return (self.script.pop(0) if self.script else 201), None


def vapid_claims(authorization: str) -> tuple[str, dict[str, Any]]:
    """RFC 8292 ``vapid t=<JWT>, k=<public key>``: the key and the JWT's claims once its ES256 signature is verified
    with that key (raises ``InvalidSignature`` otherwise)."""
    scheme, _, params = authorization.partition(" ")
    assert scheme.lower() == "vapid", authorization
    values = dict(part.strip().split("=", 1) for part in params.split(","))
    token, key = values["t"], values["k"]
    header, payload, signature = token.split(".")
    raw = unb64url(signature)
    assert len(raw) == 64 and json.loads(unb64url(header))["alg"] == "ES256"
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    return key, json.loads(unb64url(payload))


@dataclass
class FcmFake(_Server):
    project_id: str = "lensgraph-test"
    client_email: str = "push@lensgraph-test.iam.gserviceaccount.com"
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    unregistered: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def service_account(self) -> dict[str, Any]:
        """The JSON key file a service account downloads, its token endpoint pointed at this fake."""
        pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": "key-1",
            "private_key": pem,
            "client_email": self.client_email,
            "token_uri": f"{self.url}/token",
        }

    def answer(self, request: Received) -> tuple[int, Any]:
        self.requests.append(request)
        if request.path == "/token":
            return self._token(request)
        if request.path == f"/v1/projects/{self.project_id}/messages:send":
            return self._send(request)
        return 404, {"error": {"code": 404, "status": "NOT_FOUND"}}

    def _token(self, request: Received) -> tuple[int, Any]:
        form = {name: values[0] for name, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}
        public = RSAKey.import_key(
            self.key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        try:
            claims = jwt.decode(form.get("assertion", ""), public, algorithms=["RS256"]).claims
        except Exception:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if claims.get("iss") != self.client_email or claims.get("aud") != f"{self.url}/token":
            return 400, {"error": "invalid_grant"}
        if claims.get("scope") != FCM_SCOPE:
            return 400, {"error": "invalid_scope"}
        token = f"ya29.fake-{secrets.token_hex(8)}"
        self.issued.append(token)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _send(self, request: Received) -> tuple[int, Any]:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.issued:
            return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}
        body = json.loads(request.body)
        self.messages.append(body)
        if body["message"]["token"] in self.unregistered:
            return 404, {
                "error": {
                    "code": 404,
                    "message": "Requested entity was not found.",
                    "status": "NOT_FOUND",
                    "details": [
                        {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}
                    ],
                }
            }
        return 200, {"name": f"projects/{self.project_id}/messages/0:{secrets.token_hex(6)}"}
