"""The ASGI application: /graphql (HTTP and WebSocket), /healthz, /readyz, /metrics, /files, /track (storefront
engagement), the payment routes and the account pages emails link to, the zips of gallery downloads, and the page a
verification report's share link opens. Pages on the origins in LENSGRAPH_CORS_ORIGINS may call /graphql and /files."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from lensgraph.adapters.storage.local import LocalStorage
from lensgraph.app.accounts import account_routes
from lensgraph.app.calendar_feed import calendar_feed_routes
from lensgraph.app.cors import CrossOrigin
from lensgraph.app.data_exports import data_export_routes
from lensgraph.app.documents import document_routes
from lensgraph.app.gallery_downloads import gallery_download_routes
from lensgraph.app.graphiql import graphiql_page, graphiql_routes
from lensgraph.app.health import health_routes
from lensgraph.app.idempotency import IdempotentMutations
from lensgraph.app.invoices import invoice_routes
from lensgraph.app.metrics import RequestMetrics, metrics_route
from lensgraph.app.payments import log_payment_mode, payment_routes
from lensgraph.app.services import Services
from lensgraph.app.shared_reports import shared_report_routes
from lensgraph.app.tracking import tracking_routes
from lensgraph.app.view import GraphQLView
from lensgraph.config import Settings
from lensgraph.schema.schema import build_schema

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> Starlette:
    """Builds the app; the database must already be migrated (``lensgraph serve`` does it)."""
    settings = settings or Settings()
    services = services or Services(settings)
    view = GraphQLView(
        build_schema(settings), services, graphiql_page=graphiql_page if settings.serves_graphiql else None
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await services.start()
        log_payment_mode(services.settings)
        # The schema, modules and pools made at start-up live as long as the process: moved out of the
        # collector's reach, full collections stop walking them (about 100 ms each on a small VM).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await services.close()

    routes = [
        Route("/graphql", IdempotentMutations(view, services)),
        WebSocketRoute("/graphql", view),
        *health_routes(services),
        metrics_route(services),
        *payment_routes(services),
        *account_routes(services),
        *document_routes(services),
        *invoice_routes(services),
        *shared_report_routes(services),
        *calendar_feed_routes(services),
        *gallery_download_routes(services),
        *data_export_routes(services),
        *tracking_routes(services),
        *graphiql_routes(settings),
    ]
    if isinstance(services.storage, LocalStorage):
        routes.append(Route("/files/{key:path}", services.storage.handle, methods=["GET", "HEAD", "PUT"]))
    middleware = [Middleware(RequestMetrics), Middleware(CrossOrigin, settings=services.settings)]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.services = services
    return app
