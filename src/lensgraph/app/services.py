"""The process's services, built once per process from Settings and closed when it ends; requests reach them through
``Context.services``, typed there by the ``resolvers.context.Services`` protocol this class satisfies."""

from __future__ import annotations

from datetime import timedelta

from lensgraph.adapters import tracing
from lensgraph.adapters.pubsub import create_pubsub
from lensgraph.adapters.ratelimit import CostBuckets, FailureLimiter, RequestLimiter, cost_buckets
from lensgraph.adapters.tokens import AccessTokens, GalleryDownloadTokens, GalleryTokens
from lensgraph.config import Settings
from lensgraph.domain.costs import Bucket
from lensgraph.domain.gallery_downloads import DOWNLOAD_LINK_LIFETIME
from lensgraph.jobs.analytics import ViewCounter
from lensgraph.jobs.broker import Jobs
from lensgraph.jobs.relay import Relay
from lensgraph.jobs.services import payments_for, storage_for
from lensgraph.jobs.ugc_engagement import EngagementCounter
from lensgraph.persistence.accounts import AccountStandings
from lensgraph.persistence.db import Database


class Services:
    """Long-lived, one per process: database, token signer, rate limits, jobs, pubsub, relay, payments,
    photo view counts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        tracing.start(settings)
        self.db = Database(settings.database_url, pool_size=settings.database_pool_size)
        tracing.trace_engine(self.db.engine)
        self.access_tokens = AccessTokens(
            settings.signing_key,
            settings.jwt_issuer,
            settings.jwt_audience,
            timedelta(minutes=settings.access_token_minutes),
        )
        self.login_failures = FailureLimiter(
            settings.rate_limit_storage,
            settings.login_failures_allowed,
            settings.login_failure_window_minutes,
            namespace="login-failures",
        )
        self.gallery_tokens = GalleryTokens(
            settings.signing_key, settings.jwt_issuer, timedelta(minutes=settings.gallery_token_minutes)
        )
        self.gallery_download_tokens = GalleryDownloadTokens(
            settings.signing_key, settings.jwt_issuer, DOWNLOAD_LINK_LIFETIME
        )
        self.gallery_unlock_failures = FailureLimiter(
            settings.rate_limit_storage,
            settings.gallery_unlock_failures_allowed,
            settings.gallery_unlock_failure_window_minutes,
            namespace="gallery-unlock-failures",
        )
        self.account_standings = AccountStandings(self.db, settings.account_cache_seconds)
        self.requests = (
            RequestLimiter(settings.rate_limit_storage, settings.request_rate_limit)
            if settings.request_rate_limit
            else None
        )
        self.key_requests = RequestLimiter(
            settings.rate_limit_storage, f"{max(1, settings.api_key_read_rate_limit)}/minute"
        )
        self.cost_buckets: CostBuckets | None = (
            cost_buckets(settings.rate_limit_storage, Bucket(settings.cost_bucket_size, settings.cost_restore_rate))
            if settings.cost_bucket_size
            else None
        )
        self.jobs = Jobs(settings)
        self.pubsub = create_pubsub(settings.pubsub, settings.pubsub_namespace)
        self.relay = Relay(self.db, self.pubsub, self.jobs)
        self.storage = storage_for(settings)
        self.payments = payments_for(settings)
        self.db.on_events = self.relay.wake
        self.views = ViewCounter(self.db)
        self.engagement = EngagementCounter(self.db)

    async def start(self) -> None:
        await self.jobs.start()
        await self.relay.start()
        await self.views.start()
        await self.engagement.start()

    async def close(self) -> None:
        """After uvicorn has stopped accepting and closed the WebSockets: the running jobs finish first, so that
        the relay's last batch can carry the events they wrote."""
        await self.views.stop()
        await self.engagement.stop()
        await self.jobs.stop()
        await self.relay.stop()
        await self.pubsub.close()
        if self.cost_buckets is not None:
            await self.cost_buckets.close()
        await self.payments.aclose()
        await self.db.dispose()
        tracing.flush()
