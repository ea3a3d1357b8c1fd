"""GraphQL over HTTP and WebSocket, with the request rules of the GraphQL-over-HTTP spec."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType

from lensgraph.adapters import logs
from lensgraph.adapters.bodies import BodyTooLarge, read_body
from lensgraph.adapters.metrics import RATE_LIMITED
from lensgraph.adapters.ratelimit import Allowance
from lensgraph.app import compiled, public_reads
from lensgraph.app.services import Services
from lensgraph.domain.errors import AccessDenied, ErrorCode
from lensgraph.resolvers.auth import authenticate, count_request, credential_barred, credential_from_headers
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.ugc import RAW_BODY_SCOPE_KEY

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
SUBSCRIPTIONS_OVER_WEBSOCKET = "Subscriptions are served over WebSocket at /graphql (graphql-transport-ws)."
# Whether the request runs a mutation: set by ``_answer`` before ``get_context`` counts it.
WRITES_SCOPE_KEY = "lensgraph.writes"
ERROR_CODES_BY_STATUS = {401: ErrorCode.UNAUTHENTICATED, 404: ErrorCode.NOT_FOUND, 429: ErrorCode.RATE_LIMITED}


def rate_headers(allowance: Allowance) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(allowance.limit),
        "RateLimit-Remaining": str(allowance.remaining),
        "RateLimit-Reset": str(allowance.reset_after),
    }


class TooManyRequests(HTTPException):
    def __init__(self, allowance: Allowance) -> None:
        super().__init__(429, f"Too many requests: try again in {allowance.reset_after} s.")
        self.headers = {**rate_headers(allowance), "Retry-After": str(allowance.reset_after)}


def error_response(
    status: int, message: str, *, media_type: str = "application/json", headers: dict[str, str] | None = None
) -> Response:
    code = ERROR_CODES_BY_STATUS.get(status, ErrorCode.INVALID_INPUT).value
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    if status == 405:
        headers = {**(headers or {}), "Allow": "GET, POST"}
    return Response(body, status_code=status, media_type=media_type, headers=headers)


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: Any, services: Services, *, graphiql_page: Callable[[], Response] | None = None) -> None:
        """``graphiql_page`` answers browsers' ``GET /graphql``; without it they get 404."""
        settings = services.settings
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql_page is not None else None,
            allow_queries_via_get=settings.runs_operations_over_get,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.connection_init_timeout_seconds),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            allowed_origins=settings.allowed_origins,
        )
        self.services = services
        self.graphiql_page = graphiql_page
        self.persisted_queries = public_reads.PersistedQueries()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        with logs.request_scope():
            request = Request(scope, receive)
            response = self._refuse_http(request) or await self._answer(request, scope)
            await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Ours (app/graphiql.py: assets served by this package), not strawberry's page that loads them from a CDN.
        if self.graphiql_page is None:  # never: strawberry asks only when graphql_ide is set
            raise HTTPException(404, "Not Found")
        return self.graphiql_page()

    async def _answer(self, request: Request, scope: Scope) -> Response:
        try:
            body = await read_body(request, self.services.settings.max_body_bytes)
        except BodyTooLarge:
            return error_response(413, "The request body is larger than the server accepts.")
        # Kept for resolvers that verify a signature over the exact bytes sent (submitContent); the scope is
        # this request's own, so nothing outlives it.
        scope[RAW_BODY_SCOPE_KEY] = body
        # A persisted query's document, found by its hash, is run as if it had been sent (app/public_reads.py).
        posted: public_reads.Posted | None = None
        if request.method == "POST":
            resolved = public_reads.apply_to_post(self.persisted_queries, public_reads.Posted.of(body))
            if isinstance(resolved, public_reads.Refusal):
                return resolved.response()
            posted, body = resolved, resolved.body
        elif (refused := public_reads.apply_to_get(self.persisted_queries, request, scope)) is not None:
            return refused.response()
        request = Request(scope, _replay(body))
        # Known before the request is counted: API keys' reads and writes have their own rates.
        scope[WRITES_SCOPE_KEY] = public_reads.is_mutation(*public_reads.request_document(request, posted))
        try:
            response = await compiled.answer(self, request, posted)
        except HTTPException as exc:
            headers = exc.headers if isinstance(exc, TooManyRequests) else None
            response = error_response(
                exc.status_code, exc.reason, media_type=_preferred_media_type(request), headers=headers
            )
        return public_reads.mark_cacheable(request, response)

    def _refuse_http(self, request: Request) -> Response | None:
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return error_response(415, "Send GraphQL requests as application/json.")
        elif request.method not in {"GET", "HEAD"}:
            return error_response(405, "GraphQL is served over GET (queries) and POST.")
        elif "query" in request.query_params and not self.services.settings.runs_operations_over_get:
            return error_response(405, "Send GraphQL operations with POST: this server runs none from GET.")
        return None

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        services = self.services
        if isinstance(request, WebSocket):
            return Context.of_request(services, request, viewer=None)
        context = Context.of_request(services, request, viewer=None)
        logs.annotate(request_id=context.request_id)
        credential = credential_from_headers(request.headers)
        if credential and (barred := await credential_barred(services, context.client_ip)) is not None:
            RATE_LIMITED.inc()
            raise TooManyRequests(barred)
        try:
            context.viewer = await authenticate(services, credential)
        except AccessDenied as denied:
            # Counted against the address before it is refused: guessing keys or tokens spends the rate too.
            await _count(context, response, credential_failed=True)
            raise HTTPException(401, denied.message) from None
        await _count(context, response, writes=bool(request.scope.get(WRITES_SCOPE_KEY)))
        if isinstance(response, Response):
            response.headers["X-Request-ID"] = context.request_id
            # Left by app.idempotency on a POST with Idempotency-Key: claims it for this caller, or answers from it.
            if (idempotency := getattr(request.state, "idempotency", None)) is not None:
                await idempotency.claim(request, context, response)
        return context

    async def on_ws_connect(self, context: Context) -> Any:
        params = getattr(context, "connection_params", None) or {}
        credential = params.get("authorization") or params.get("Authorization") or params.get("apiKey")
        if isinstance(credential, str) and credential.lower().startswith("bearer "):
            credential = credential[7:]
        credential = credential if isinstance(credential, str) else None
        # Guessing over sockets spends the address's rate as it does over HTTP (``get_context``).
        if credential and await credential_barred(self.services, context.client_ip) is not None:
            raise ConnectionRejectionError()
        try:
            context.viewer = await authenticate(self.services, credential)
        except AccessDenied:
            await count_request(self.services, None, context.client_ip, credential_failed=True)
            raise ConnectionRejectionError() from None
        return await super().on_ws_connect(context)

    async def execute_single(self, request: Any, request_adapter: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute_single(request, request_adapter, *args, **kwargs)
        except HTTPException as exc:
            refused = exc.__cause__
            if isinstance(refused, InvalidOperationTypeError):
                if refused.operation_type is OperationType.SUBSCRIPTION:
                    raise HTTPException(400, SUBSCRIPTIONS_OVER_WEBSOCKET) from exc
                if request_adapter.method == "GET":
                    raise HTTPException(405, "Mutations must be sent with POST.") from exc
            raise

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = _preferred_media_type(request)
        return sub_response

    def encode_json(self, data: object) -> str:
        # A str, not bytes: strawberry sends bytes as binary WebSocket frames, and graphql-transport-ws
        # messages are text frames (clients such as gql refuse binary ones).
        return orjson.dumps(data).decode()

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        graphql_response = sub_response.media_type == GRAPHQL_RESPONSE_JSON
        never_ran = graphql_response and isinstance(response_data, dict) and _is_request_error(response_data)
        if never_ran:
            # The spec's media type: a document that failed to parse or validate answers 400 with no data entry
            # at all (application/json answers keep strawberry's "data": null for the clients that read it).
            response_data = {key: value for key, value in response_data.items() if key != "data"}
        response = super().create_response(response_data, sub_response)
        if graphql_response:
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
        if (retry_after := _throttled(response_data)) is not None:
            # The operation's cost was more than its caller's bucket holds (``MeterCost``).
            response.status_code = 429
            response.headers["Retry-After"] = str(retry_after)
        elif never_ran:
            response.status_code = 400
        return response

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        allowed = super().is_websocket_origin_allowed(request, origin)
        if not allowed:
            log.warning(
                "Refused a WebSocket from origin %r: it is not in LENSGRAPH_ALLOWED_ORIGINS; add it there "
                "(comma-separated) to let pages on it connect",
                origin,
            )
        return allowed


async def _count(
    context: Context, response: Response | WebSocket, *, credential_failed: bool = False, writes: bool = False
) -> None:
    """Counts the request against its caller's rate (an API key's reads or writes, else the viewer's, else the
    address's); 429 past it."""
    allowance = await count_request(
        context.services, context.viewer, context.client_ip, credential_failed=credential_failed, writes=writes
    )
    if allowance is None:
        return
    if not allowance.allowed:
        RATE_LIMITED.inc()
        raise TooManyRequests(allowance)
    if isinstance(response, Response):
        response.headers.update(rate_headers(allowance))


def _throttled(data: object) -> int | None:
    """The seconds to wait, when the operation was refused for its cost (RATE_LIMITED with ``retryAfter``)."""
    for error in (data.get("errors") or []) if isinstance(data, dict) else []:
        extensions = error.get("extensions") or {}
        if extensions.get("code") == ErrorCode.RATE_LIMITED.value and "retryAfter" in extensions:
            return int(extensions["retryAfter"])
    return None


def _is_request_error(data: dict[str, Any]) -> bool:
    """No data and only path-less errors: the document never ran (parse or validation failure)."""
    errors = data.get("errors") or []
    return data.get("data") is None and bool(errors) and all("path" not in error for error in errors)


def _preferred_media_type(request: Request | WebSocket) -> str:
    accept = request.headers.get("accept", "")
    return GRAPHQL_RESPONSE_JSON if GRAPHQL_RESPONSE_JSON in accept else "application/json"


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
