"""What actors use, one object per broker: settings, the queue for follow-up jobs, and a database, mailer and storage
made on first use on the worker's event loop. ``Jobs`` binds it to its broker (``ProvideJobServices``); an actor
reaches the services of the broker running it with ``current_services()``."""

from __future__ import annotations

from contextvars import ContextVar
from email.utils import parseaddr
from typing import Any, Protocol

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.broker import MessageProxy

from lensgraph.adapters import tracing
from lensgraph.adapters.mail import Mailer, create_mailer
from lensgraph.adapters.outbound_http import OutboundHttp
from lensgraph.adapters.payments import PaymentGateway, create_payment_gateway
from lensgraph.adapters.push import PushServices, create_push_services
from lensgraph.adapters.storage import Storage, create_storage
from lensgraph.config import Settings
from lensgraph.persistence.db import Database


class JobQueue(Protocol):
    def send(self, actor_name: str, *args: Any) -> None: ...


class JobServices:
    """Made with the broker; what needs an event loop (the engine) is made lazily on the worker's loop, where the
    actors run, and closed there by ``dispose``."""

    def __init__(self, settings: Settings, queue: JobQueue) -> None:
        self.settings = settings
        self.queue = queue
        self._mailer: Mailer | None = None
        self._database: Database | None = None
        self._storage: Storage | None = None
        self._push: PushServices | None = None

    @property
    def database(self) -> Database:
        if self._database is None:
            self._database = Database(self.settings.database_url, pool_size=self.settings.database_pool_size)
            tracing.trace_engine(self._database.engine)
        return self._database

    @property
    def mailer(self) -> Mailer:
        if self._mailer is None:
            self._mailer = create_mailer(self.settings.smtp_url, self.settings.data_dir, self.settings.mail_from)
        return self._mailer

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            self._storage = storage_for(self.settings)
        return self._storage

    @property
    def push(self) -> PushServices:
        """Web Push and FCM senders; FCM keeps its access token here between jobs."""
        if self._push is None:
            self._push = push_services_for(self.settings)
        return self._push

    def payments(self) -> PaymentGateway:
        """A gateway for this job only (its HTTP client belongs to the loop that uses it first): close it after."""
        return payments_for(self.settings)

    async def dispose(self) -> None:
        """Closes the engine; run on the loop that made it."""
        database, self._database = self._database, None
        if database is not None:
            await database.dispose()


_running: ContextVar[JobServices | None] = ContextVar("lensgraph_job_services", default=None)


def current_services() -> JobServices:
    """The services of the broker whose worker runs this job."""
    services = _running.get()
    if services is None:
        raise RuntimeError("a job function ran outside a worker of a broker that Jobs set up")
    return services


class ProvideJobServices(dramatiq.Middleware):
    """Makes ``services`` current for each message its broker's worker processes (the AsyncIO middleware runs the
    actor's coroutine in a copy of the worker thread's context), and closes their engine when the worker stops
    (dramatiq runs ``after_`` hooks last-added first, so before AsyncIO stops the loop)."""

    def __init__(self, services: JobServices) -> None:
        self.services = services

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        _running.set(self.services)

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(self.services.dispose())


def payments_for(current: Settings) -> PaymentGateway:
    """A gateway for one event loop (its HTTP client belongs to the loop that uses it first): close it after use."""
    return create_payment_gateway(
        secret_key=current.stripe_secret_key.get_secret_value() if current.stripe_secret_key else None,
        webhook_secret=current.stripe_webhook_secret.get_secret_value() if current.stripe_webhook_secret else None,
        api_base=current.stripe_api_base,
        signing_key=current.signing_key,
        public_url=current.public_url,
    )


def storage_for(current: Settings) -> Storage:
    return create_storage(
        current.storage,
        signing_key=current.signing_key,
        public_url=current.public_url,
        s3_endpoint=current.s3_endpoint,
        s3_region=current.s3_region,
    )


def vapid_subject(current: Settings) -> str:
    """Who push services may contact (RFC 8292): the setting, else the address mail is sent from."""
    if current.vapid_subject:
        return current.vapid_subject
    address = parseaddr(current.mail_from)[1] or "no-reply@lensgraph.local"
    return f"mailto:{address}"


def push_services_for(current: Settings) -> PushServices:
    return create_push_services(
        vapid_private_key=current.vapid_private_key.get_secret_value() if current.vapid_private_key else None,
        vapid_subject=vapid_subject(current),
        fcm_credentials_file=current.fcm_credentials_file,
        fcm_api_base=current.fcm_api_base,
        outbound=OutboundHttp(
            allow_private=current.outbound_allow_private, timeout_seconds=current.push_timeout_seconds
        ),
    )
