"""OpenTelemetry for one process (the ``otel`` extra), installed by ``lensgraph.adapters.tracing.start``.

Spans go to an OTLP/HTTP endpoint in batches. SQL spans carry statements with their placeholders, never bound
values; HTTP spans carry URLs with secret query parameters redacted; operation spans carry the document's hash,
never its text or variables.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import context, metrics, propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor, RequestInfo
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from lensgraph.adapters.logs import redact_secrets

TRACER_NAME = "lensgraph"
URL_ATTRIBUTES = ("url.full", "http.url")


class OperationSpan:
    """A GraphQL operation's span, named once the operation is known (after parsing)."""

    def __init__(self, span: trace.Span) -> None:
        self.span = span

    def describe(self, operation_type: str, operation_name: str | None, document: str | None) -> None:
        name = f"graphql.{operation_type}"
        self.span.update_name(f"{name} {operation_name}" if operation_name else name)
        self.span.set_attribute("graphql.operation.type", operation_type)
        if operation_name:
            self.span.set_attribute("graphql.operation.name", operation_name)
        if document:
            # Its hash, not its text: literals in a document may hold what variables would (passwords, tokens).
            self.span.set_attribute("graphql.document.sha256", hashlib.sha256(document.encode()).hexdigest())

    def failed(self, error_codes: set[str]) -> None:
        self.span.set_attribute("graphql.error.codes", sorted(error_codes))
        if "INTERNAL" in error_codes:
            self.span.set_status(Status(StatusCode.ERROR))


class Otel:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES are read by Resource.create; "lensgraph" unless named.
        attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: "lensgraph"}
        self.provider = TracerProvider(resource=Resource.create(attributes))
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        self.tracer = self.provider.get_tracer(TRACER_NAME)
        self._sql_tracer = self.provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
        self._connections = metrics.get_meter(TRACER_NAME).create_up_down_counter("db.client.connections.usage")
        # Every httpx client, whenever made: the guarded outbound client (webhooks, fetches) and Stripe's.
        HTTPXClientInstrumentor().instrument(
            tracer_provider=self.provider, request_hook=_redact_url, async_request_hook=_redact_url_async
        )

    def trace_engine(self, engine: Any) -> None:
        EngineTracer(self._sql_tracer, engine.sync_engine, self._connections)

    @contextlib.contextmanager
    def operation_span(self, headers: Mapping[str, str] | None) -> Iterator[OperationSpan]:
        parent = propagate.extract(headers) if headers is not None else None
        span = self.tracer.start_span("graphql.operation", context=parent, kind=SpanKind.SERVER)
        token = context.attach(trace.set_span_in_context(span))
        try:
            yield OperationSpan(span)
        finally:
            context.detach(token)
            span.end()

    def current_ids(self) -> dict[str, str]:
        span_context = trace.get_current_span().get_span_context()
        if not span_context.is_valid:
            return {}
        return {"trace_id": format(span_context.trace_id, "032x"), "span_id": format(span_context.span_id, "016x")}

    def flush(self) -> None:
        self.provider.force_flush()

    def shutdown(self) -> None:
        HTTPXClientInstrumentor().uninstrument()
        self.provider.shutdown()


def _redact_url(span: trace.Span, request: RequestInfo) -> None:
    # Signed file URLs, S3 presigned URLs and webhook URLs may carry secrets in their query strings.
    if not span.is_recording():
        return
    recorded = getattr(span, "attributes", None) or {}
    for name in URL_ATTRIBUTES:
        if name in recorded:
            span.set_attribute(name, redact_secrets(str(request.url)))


async def _redact_url_async(span: trace.Span, request: RequestInfo) -> None:
    _redact_url(span, request)
