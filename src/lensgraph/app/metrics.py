"""``/metrics`` for Prometheus, and the middleware that counts and times every HTTP request."""

from __future__ import annotations

import hmac
import time

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lensgraph.adapters.metrics import HTTP_REQUESTS, HTTP_SECONDS, exposition, labelled
from lensgraph.app.services import Services
from lensgraph.resolvers.operations import backlog


class RequestMetrics:
    """Counts and times HTTP requests by route template (``/files/{key:path}``, not each file's path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            labelled(HTTP_REQUESTS, scope["method"], template, str(status)).inc()
            labelled(HTTP_SECONDS, scope["method"], template).observe(time.perf_counter() - started)


def metrics_route(services: Services) -> Route:
    """Open in development; in production only with ``LENSGRAPH_METRICS_TOKEN`` as a bearer token."""
    token = services.settings.metrics_token

    async def metrics(request: Request) -> Response:
        if token is not None:
            sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
                return PlainTextResponse("Send the metrics token as a bearer token.\n", status_code=401)
        elif services.settings.environment == "production":
            return PlainTextResponse("Set LENSGRAPH_METRICS_TOKEN to read metrics in production.\n", status_code=404)
        figures = await backlog(services)
        gauges = [
            _gauge(
                "lensgraph_outbox_pending_events", "Events committed and not yet published.", figures.outbox_pending
            ),
            _gauge(
                "lensgraph_outbox_oldest_pending_age_seconds",
                "Age of the oldest unpublished event: it grows when no relay runs or they fall behind.",
                figures.outbox_oldest_age_seconds,
            ),
            _gauge(
                "lensgraph_webhook_deliveries_retrying",
                "Webhook deliveries waiting for a retry.",
                figures.webhook_deliveries_retrying,
            ),
            _gauge(
                "lensgraph_webhook_deliveries_failed",
                "Webhook deliveries given up on after their last retry.",
                figures.webhook_deliveries_failed,
            ),
        ]
        return Response(exposition(gauges), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics, methods=["GET"])


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
