"""The broker: in-process for the embedded mode, Redis or RabbitMQ for ``lensgraph worker`` processes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, Middleware

from lensgraph.adapters import tracing
from lensgraph.config import Settings
from lensgraph.jobs import runtime
from lensgraph.jobs.actors import ACTORS, PERIODIC

log = logging.getLogger(__name__)


class ReleaseRuntime(Middleware):
    """Closes the actors' database engine on their event loop, after the running jobs have finished and before
    that loop stops (dramatiq runs ``after_`` hooks last-added first, so this runs before AsyncIO's)."""

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(runtime.dispose())


def create_broker(url: str, namespace: str, *, heartbeat_timeout_seconds: float = 60.0) -> dramatiq.Broker:
    broker: dramatiq.Broker
    if url == "memory":
        broker = StubBroker()
    elif url.startswith(("redis://", "rediss://")):
        from lensgraph.jobs.redis_broker import TimelyRedisBroker

        broker = TimelyRedisBroker(
            url=url,
            namespace=namespace,
            heartbeat_timeout=int(heartbeat_timeout_seconds * 1000),
            every_seconds=max(1.0, heartbeat_timeout_seconds / 2),
        )
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    else:
        raise ValueError("LENSGRAPH_BROKER must be memory, redis://... or amqp://...")
    broker.add_middleware(AsyncIO())
    broker.add_middleware(ReleaseRuntime())
    return broker


class Jobs:
    """The broker with every actor declared on it; in memory mode, also the worker that runs them."""

    def __init__(self, settings: Settings) -> None:
        runtime.configure(settings, self)
        self.in_process = settings.broker == "memory"
        self.broker = create_broker(
            settings.broker,
            settings.broker_namespace,
            heartbeat_timeout_seconds=settings.broker_heartbeat_timeout_seconds,
        )
        self.grace_ms = int(settings.shutdown_grace_seconds * 1000)
        if tracing.start(settings) and (otel := tracing.active()) is not None:
            from lensgraph.jobs.tracing import TracePropagation

            self.broker.add_middleware(TracePropagation(otel.tracer))
        self.actors = {
            name: dramatiq.actor(actor_name=name, broker=self.broker, **options)(function)
            for name, (function, options) in ACTORS.items()
        }
        self._worker: dramatiq.Worker | None = None
        self._timers: list[asyncio.Task[None]] = []

    def send(self, actor_name: str, *args: Any) -> None:
        self.actors[actor_name].send(*args)

    def reachable(self) -> bool:
        """Whether jobs can be queued: always in memory; Redis answers PING; RabbitMQ accepts a connection.
        Blocking: call it in a thread."""
        try:
            if self.in_process:
                return True
            client = getattr(self.broker, "client", None)
            if client is not None:  # Redis
                return bool(client.ping())
            return bool(self.broker.connection.is_open)  # type: ignore[attr-defined]
        except Exception:
            return False

    async def start(self) -> None:
        if self.in_process:
            self._worker = dramatiq.Worker(self.broker, worker_threads=2, worker_timeout=100)
            self._worker.start()
            # The in-process queue died with the last server: photos and verifications waiting are sent again.
            self.send("photos.resume_analyses")
            self.send("verification.resume_analyses")
        self._timers = [asyncio.create_task(self._every(name, PERIODIC[name].total_seconds())) for name in PERIODIC]

    async def _every(self, actor_name: str, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                self.send(actor_name)
            except Exception:
                log.exception("could not enqueue %s", actor_name)

    async def stop(self) -> None:
        """Safe to call twice: the app's shutdown and a test's teardown may both call it."""
        timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        worker, self._worker = self._worker, None
        if worker is not None:
            # Takes no new job; the running ones get the grace period to finish (then the process ends them).
            await asyncio.to_thread(worker.stop, self.grace_ms)
        self.broker.close()
