"""Storefront engagement: ``GET /track/pixel.gif`` (an image tag's query string) and ``POST /track`` (a JSON
beacon, as ``navigator.sendBeacon`` sends it: any content type). No credential (storefronts are public pages);
ids are checked for their form here and for existence when the counts are written (jobs/ugc_engagement.py).
Bad input answers 400 with a coded error, never 500; nothing of a refused beacon is counted."""

from __future__ import annotations

import base64

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lensgraph.adapters.bodies import BodyTooLarge, read_body
from lensgraph.adapters.metrics import RATE_LIMITED
from lensgraph.domain import ugc_engagement as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.persistence.base import utcnow
from lensgraph.resolvers.context import Context, Services

# The smallest transparent GIF: 1x1, one colour.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
# Answers are the caller's own (counted once each): nobody may cache or reuse them.
NO_STORE = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}


def _refused(status: int, code: ErrorCode, message: str, field: list[str] | None = None) -> Response:
    error = {"message": message, "extensions": {"code": code.value, "field": field or []}}
    return Response(
        orjson.dumps({"errors": [error]}), status_code=status, media_type="application/json", headers=NO_STORE
    )


def tracking_routes(services: Services) -> list[Route]:
    async def over_rate(request: Request) -> Response | None:
        """Each address's events count against its request rate (LENSGRAPH_REQUEST_RATE_LIMIT), apart from
        its GraphQL requests: a script cannot inflate the counts faster than that."""
        if services.requests is None:
            return None
        client_ip = Context.of_request(services, request, viewer=None).client_ip
        allowance = await services.requests.hit(f"track:{client_ip}")
        if allowance.allowed:
            return None
        RATE_LIMITED.inc()
        refused = _refused(429, ErrorCode.RATE_LIMITED, f"Too many events: try again in {allowance.reset_after} s.")
        refused.headers["Retry-After"] = str(allowance.reset_after)
        return refused

    async def pixel(request: Request) -> Response:
        if (refused := await over_rate(request)) is not None:
            return refused
        try:
            hit = rules.hit(dict(request.query_params))
        except DomainError as bad:
            return _refused(400, bad.code, bad.message, bad.field)
        services.engagement.record([hit], utcnow().date())
        return Response(PIXEL, media_type="image/gif", headers=NO_STORE)

    async def beacon(request: Request) -> Response:
        if (refused := await over_rate(request)) is not None:
            return refused
        try:
            body = await read_body(request, rules.MAX_BEACON_BYTES)
        except BodyTooLarge:
            return _refused(413, ErrorCode.INVALID_INPUT, f"A beacon is at most {rules.MAX_BEACON_BYTES} bytes.")
        try:
            hits = rules.beacon(orjson.loads(body))
        except orjson.JSONDecodeError:
            return _refused(400, ErrorCode.INVALID_INPUT, "The body must be JSON.")
        except DomainError as bad:
            return _refused(400, bad.code, bad.message, bad.field)
        services.engagement.record(hits, utcnow().date())
        return Response(status_code=204, headers=NO_STORE)

    return [
        Route("/track/pixel.gif", pixel, methods=["GET"]),
        Route("/track", beacon, methods=["POST"]),
    ]
