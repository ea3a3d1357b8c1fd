"""What every request carries: the services of this process and who is calling."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID, uuid4

from lensgraph.adapters.payments import PaymentGateway
from lensgraph.adapters.pubsub import PubSub
from lensgraph.adapters.ratelimit import CostBuckets, FailureLimiter, RequestLimiter
from lensgraph.adapters.storage import Storage
from lensgraph.adapters.tokens import AccessTokens, GalleryDownloadTokens, GalleryTokens
from lensgraph.config import Settings
from lensgraph.domain.errors import unauthenticated
from lensgraph.domain.idempotency import derived_id
from lensgraph.domain.policies import Viewer
from lensgraph.jobs.analytics import ViewCounter
from lensgraph.jobs.broker import Jobs
from lensgraph.jobs.ugc_engagement import EngagementCounter
from lensgraph.persistence.accounts import AccountStandings
from lensgraph.persistence.db import Database, SessionSource
from lensgraph.persistence.loaders import Loaders


class Services(Protocol):
    """What requests use of the process's services; ``lensgraph.app.services.Services`` builds them (resolvers do
    not import ``app``: imports flow app -> schema -> resolvers)."""

    settings: Settings
    db: Database
    access_tokens: AccessTokens
    login_failures: FailureLimiter
    gallery_tokens: GalleryTokens
    gallery_download_tokens: GalleryDownloadTokens
    gallery_unlock_failures: FailureLimiter
    account_standings: AccountStandings
    requests: RequestLimiter | None
    # API keys' read and write buckets (``auth.count_request``), sized per request by the key's plan.
    key_requests: RequestLimiter
    cost_buckets: CostBuckets | None
    jobs: Jobs
    pubsub: PubSub
    storage: Storage
    payments: PaymentGateway
    views: ViewCounter
    engagement: EngagementCounter


def new_request_id() -> str:
    """32 random hex digits naming a request in logs and errors. Not a secret: drawn without a system call
    (``uuid4`` reads os.urandom, which releases the GIL on every request)."""
    return f"{random.getrandbits(128):032x}"


@dataclass
class Context:
    """The typed request context; built per HTTP request or per WebSocket connection."""

    services: Services
    request: Any
    viewer: Viewer | None
    loaders: Loaders
    client_ip: str | None = None
    request_id: str = field(default_factory=new_request_id)
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

    @property
    def reads(self) -> SessionSource:
        """Where reads take their session: the operation's shared one during a query, else one each."""
        return self.loaders.sessions

    def new_id(self, purpose: str) -> UUID:
        """The id of a record this request creates for ``purpose``: derived from its Idempotency-Key when it
        holds one (a retry creates, and sends Stripe, the same), random otherwise."""
        return derived_id(self.idempotency_key, purpose) if self.idempotency_key else uuid4()

    def require_viewer(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer
