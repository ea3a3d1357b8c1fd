"""Entry module for ``dramatiq lensgraph.jobs.worker``: the broker from LENSGRAPH_BROKER, every actor on it."""

import dramatiq

from lensgraph.adapters.logs import redact_handlers
from lensgraph.config import Settings
from lensgraph.jobs.broker import Jobs

# dramatiq set up this process's logging before importing this module: secrets are redacted from it too.
settings = Settings()
redact_handlers(log_format=settings.log_format)
jobs = Jobs(settings)
dramatiq.set_broker(jobs.broker)
broker = jobs.broker
