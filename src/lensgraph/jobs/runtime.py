"""What actors share inside one process: settings, a database and a mailer made on first use, the jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lensgraph.adapters import tracing
from lensgraph.adapters.mail import Mailer, create_mailer
from lensgraph.adapters.payments import PaymentGateway, create_payment_gateway
from lensgraph.adapters.storage import Storage, create_storage
from lensgraph.config import Settings
from lensgraph.persistence.db import Database

if TYPE_CHECKING:
    from lensgraph.jobs.broker import Jobs

_settings: Settings | None = None
_jobs: Jobs | None = None
_database: Database | None = None
_mailer: Mailer | None = None
_storage: Storage | None = None


def configure(settings: Settings, jobs: Jobs) -> None:
    global _settings, _jobs, _database, _mailer, _storage
    _settings, _jobs, _database, _mailer, _storage = settings, jobs, None, None, None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings


def jobs() -> Jobs:
    if _jobs is None:
        raise RuntimeError("jobs runtime used before Jobs(settings) was created")
    return _jobs


def database() -> Database:
    """Actors run on the worker's own event loop, so they get their own engine, made there."""
    global _database
    if _database is None:
        _database = Database(settings().database_url)
        tracing.trace_engine(_database.engine)
    return _database


def mailer() -> Mailer:
    global _mailer
    if _mailer is None:
        current = settings()
        _mailer = create_mailer(current.smtp_url, current.data_dir, current.mail_from)
    return _mailer


def storage() -> Storage:
    global _storage
    if _storage is None:
        _storage = storage_for(settings())
    return _storage


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


async def dispose() -> None:
    """Closes the actors' database engine; run on the loop that made it."""
    global _database
    if _database is not None:
        await _database.dispose()
        _database = None
