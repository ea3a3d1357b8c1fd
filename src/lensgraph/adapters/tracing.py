"""Tracing switch: OpenTelemetry is loaded and installed only when an OTLP endpoint is configured.

Without ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``LENSGRAPH_OTLP_ENDPOINT``
nothing here imports OpenTelemetry and every function is a no-op; with one, ``lensgraph.adapters.otel`` (the
``otel`` extra) exports spans of GraphQL operations, SQL statements, outgoing HTTP requests and jobs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from lensgraph.config import Settings

if TYPE_CHECKING:
    from lensgraph.adapters.otel import OperationSpan, Otel

log = logging.getLogger(__name__)

_otel: Otel | None = None


def start(settings: Settings) -> bool:
    """Installs tracing once per process for the configured endpoint; False when there is none (or the extra
    is missing, which is logged)."""
    global _otel
    endpoint = settings.traces_endpoint
    if endpoint is None:
        return False
    if _otel is not None:
        if _otel.endpoint == endpoint:
            return True
        stop()
    try:
        from lensgraph.adapters.otel import Otel
    except ImportError:
        log.warning("An OTLP endpoint is set, but OpenTelemetry is not installed (pip install 'lensgraph[otel]')")
        return False
    _otel = Otel(endpoint)
    log.info("Tracing: spans are exported to %s", endpoint)
    return True


def active() -> Otel | None:
    return _otel


def trace_engine(engine: Any) -> None:
    """SQL spans for every statement of ``engine`` (an AsyncEngine), as children of the current span."""
    if _otel is not None:
        _otel.trace_engine(engine)


def enabled() -> bool:
    """Whether spans are exported (the otel extra is installed and an endpoint configured)."""
    return _otel is not None


@contextlib.contextmanager
def operation_span(headers: Mapping[str, str] | None) -> Iterator[OperationSpan | None]:
    """The span of one GraphQL operation, current inside the block (continuing the caller's ``traceparent``)."""
    if _otel is None:
        yield None
        return
    with _otel.operation_span(headers) as span:
        yield span


def current_ids() -> dict[str, str]:
    """``trace_id`` and ``span_id`` of the current span, for log lines; empty when not tracing."""
    return _otel.current_ids() if _otel is not None else {}


def flush() -> None:
    """Sends the spans still buffered: at shutdown, and in tests before reading what was received."""
    if _otel is not None:
        _otel.flush()


def stop() -> None:
    """Flushes, then uninstalls tracing (HTTP instrumentation included)."""
    global _otel
    otel, _otel = _otel, None
    if otel is not None:
        otel.shutdown()
