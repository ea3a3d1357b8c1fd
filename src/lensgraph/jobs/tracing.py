"""Job spans in the trace of the request that queued them: the trace context travels in the message options."""

from __future__ import annotations

import threading
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from opentelemetry import context, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

TRACE_OPTION = "trace_context"


class TracePropagation(dramatiq.Middleware):
    """Injects the current trace context on enqueue; on process, runs the actor inside a ``job <actor>`` span
    whose parent is that context (a job queued outside any request starts a trace of its own)."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self.tracer = tracer
        # A worker thread processes one message at a time: its open span and context token.
        self._running = threading.local()

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int | None) -> None:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        if carrier:
            message.options[TRACE_OPTION] = carrier

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        parent = propagate.extract(message.options.get(TRACE_OPTION) or {})
        span = self.tracer.start_span(
            f"job {message.actor_name}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "dramatiq",
                "messaging.operation": "process",
                "messaging.destination.name": message.queue_name,
                "messaging.message.id": message.message_id,
                "job.actor": message.actor_name,
                "job.retries": int(message.options.get("retries", 0)),
            },
        )
        # Current in this thread, and in the actor's coroutine (the AsyncIO middleware's loop copies it).
        self._running.job = (span, context.attach(trace.set_span_in_context(span)))

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        running = getattr(self._running, "job", None)
        if running is None:
            return
        self._running.job = None
        span, token = running
        if exception is not None:
            # The type only: an exception's text may quote what the job handled.
            span.set_status(Status(StatusCode.ERROR, type(exception).__name__))
        context.detach(token)
        span.end()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self.after_process_message(broker, message)
