"""Cross-origin requests from browsers (CORS) on the routes a single-page app calls: /graphql and /files.

Starlette's CORSMiddleware answers preflights and adds the ``Access-Control-*`` headers, configured from the
settings. Around it, two rules it does not keep by itself: an answer to an origin that is not listed carries
no ``Access-Control-*`` header at all (CORSMiddleware still sends the policy's methods, headers and
credentials flag to any origin), and a preflight to /files carries the safety headers every /files answer
does. Other routes (Stripe's hooks, metrics, the account pages) are not for other origins' scripts.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lensgraph.adapters.storage import SAFETY_HEADERS
from lensgraph.config import Settings

# What a browser app sends besides the CORS-safelisted headers: its credential, its body's type, the
# key that makes a retried mutation safe, and a client's gallery access token.
GRAPHQL_REQUEST_HEADERS = ("Authorization", "Content-Type", "X-API-Key", "Idempotency-Key", "X-Gallery-Token")
# What a browser app may read from an answer: the id to quote in a support request, and the rate it has left.
GRAPHQL_EXPOSED_HEADERS = ("X-Request-ID", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After")
# Uploads are PUT with the Content-Type they were requested with; downloads name their file.
FILES_REQUEST_HEADERS = ("Content-Type",)
FILES_EXPOSED_HEADERS = ("Content-Disposition",)


class CrossOrigin:
    """CORS for /graphql (GET, POST) and /files (GET, HEAD, PUT) for the origins in LENSGRAPH_CORS_ORIGINS."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.enabled = bool(settings.cors_origins)

        def policy(methods: tuple[str, ...], request_headers: tuple[str, ...], exposed: tuple[str, ...]) -> ASGIApp:
            return CORSMiddleware(
                app,
                allow_origins=settings.cors_origins or (),
                allow_methods=methods,
                allow_headers=request_headers,
                allow_credentials=settings.cors_allow_credentials,
                expose_headers=exposed,
                max_age=settings.cors_max_age_seconds,
            )

        self.graphql = policy(("GET", "POST"), GRAPHQL_REQUEST_HEADERS, GRAPHQL_EXPOSED_HEADERS)
        self.files = policy(("GET", "HEAD", "PUT"), FILES_REQUEST_HEADERS, FILES_EXPOSED_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not self.enabled or not (path == "/graphql" or path.startswith("/files/")):
            await self.app(scope, receive, send)
            return
        cors = self.graphql if path == "/graphql" else self.files
        if path.startswith("/files/") and _is_preflight(scope):
            await cors(scope, receive, _policy_for_listed_origins_only(send, extra=SAFETY_HEADERS))
        else:
            await cors(scope, receive, _policy_for_listed_origins_only(send))


def _is_preflight(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    return scope["method"] == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers


def _policy_for_listed_origins_only(send: Send, extra: dict[str, str] | None = None) -> Send:
    async def send_filtered(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if "access-control-allow-origin" not in headers:
                for name in {key for key in headers if key.startswith("access-control-")}:
                    del headers[name]
            for name, value in (extra or {}).items():
                headers.setdefault(name, value)
        await send(message)

    return send_filtered
