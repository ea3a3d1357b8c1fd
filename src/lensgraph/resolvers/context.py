"""What every request carries: the services of this process and who is calling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from lensgraph.adapters import tracing
from lensgraph.adapters.mail import Mailer, create_mailer
from lensgraph.adapters.pubsub import create_pubsub
from lensgraph.adapters.ratelimit import CostBuckets, FailureLimiter, RequestLimiter, cost_buckets
from lensgraph.adapters.tokens import AccessTokens
from lensgraph.config import Settings
from lensgraph.domain.costs import Bucket
from lensgraph.domain.errors import unauthenticated
from lensgraph.domain.idempotency import derived_id
from lensgraph.domain.policies import Viewer
from lensgraph.jobs import runtime
from lensgraph.jobs.analytics import ViewCounter
from lensgraph.jobs.broker import Jobs
from lensgraph.jobs.relay import Relay
from lensgraph.persistence.accounts import AccountStandings
from lensgraph.persistence.db import Database
from lensgraph.persistence.loaders import Loaders


class Services:
    """Long-lived, one per process: database, token signer, mail, rate limits, jobs, pubsub, relay, payments,
    photo view counts."""

    def __init__(self, settings: Settings, *, mailer: Mailer | None = None) -> None:
        self.settings = settings
        tracing.start(settings)
        self.db = Database(settings.database_url)
        tracing.trace_engine(self.db.engine)
        self.access_tokens = AccessTokens(
            settings.signing_key,
            settings.jwt_issuer,
            settings.jwt_audience,
            timedelta(minutes=settings.access_token_minutes),
        )
        self.mailer = mailer or create_mailer(settings.smtp_url, settings.data_dir, settings.mail_from)
        self.login_failures = FailureLimiter(
            settings.rate_limit_storage,
            settings.login_failures_allowed,
            settings.login_failure_window_minutes,
            namespace="login-failures",
        )
        self.account_standings = AccountStandings(self.db, settings.account_cache_seconds)
        self.requests = (
            RequestLimiter(settings.rate_limit_storage, settings.request_rate_limit)
            if settings.request_rate_limit
            else None
        )
        self.cost_buckets: CostBuckets | None = (
            cost_buckets(settings.rate_limit_storage, Bucket(settings.cost_bucket_size, settings.cost_restore_rate))
            if settings.cost_bucket_size
            else None
        )
        self.jobs = Jobs(settings)
        self.pubsub = create_pubsub(settings.pubsub, settings.pubsub_namespace)
        self.relay = Relay(self.db, self.pubsub, self.jobs)
        self.storage = runtime.storage_for(settings)
        self.payments = runtime.payments_for(settings)
        self.db.on_events = self.relay.wake
        self.views = ViewCounter(self.db)

    async def start(self) -> None:
        await self.jobs.start()
        await self.relay.start()
        await self.views.start()

    async def close(self) -> None:
        """After uvicorn has stopped accepting and closed the WebSockets: the running jobs finish first, so that
        the relay's last batch can carry the events they wrote."""
        await self.views.stop()
        await self.jobs.stop()
        await self.relay.stop()
        await self.pubsub.close()
        if self.cost_buckets is not None:
            await self.cost_buckets.close()
        await self.payments.aclose()
        await self.db.dispose()
        tracing.flush()


@dataclass
class Context:
    """The typed request context; built per HTTP request or per WebSocket connection."""

    services: Services
    request: Any
    viewer: Viewer | None
    loaders: Loaders
    client_ip: str | None = None
    request_id: str = field(default_factory=lambda: uuid4().hex)
    # graphql-transport-ws: the payload of connection_init, set by strawberry.
    connection_params: dict[str, Any] | None = None
    # Set when the request holds an Idempotency-Key: the same on every retry of a crashed attempt (see
    # ``resolvers.idempotency.Claim``), so what it creates and asks Stripe for is the same on every retry.
    idempotency_key: str | None = None

    @classmethod
    def of_request(cls, services: Services, request: Any, viewer: Viewer | None) -> Context:
        """The context of one HTTP request or WebSocket connection (Starlette's), with loaders of its own."""
        client_ip = request.client.host if request.client else None
        return cls(services=services, request=request, viewer=viewer, loaders=Loaders(services.db), client_ip=client_ip)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def db(self) -> Database:
        return self.services.db

    def new_id(self, purpose: str) -> UUID:
        """The id of a record this request creates for ``purpose``: derived from its Idempotency-Key when it
        holds one (a retry creates, and sends Stripe, the same), random otherwise."""
        return derived_id(self.idempotency_key, purpose) if self.idempotency_key else uuid4()

    def require_viewer(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer
