"""Entry module for ``dramatiq lensgraph.jobs.worker``: the broker from LENSGRAPH_BROKER, every actor on it."""

import dramatiq

from lensgraph.config import Settings
from lensgraph.jobs.broker import Jobs

jobs = Jobs(Settings())
dramatiq.set_broker(jobs.broker)
broker = jobs.broker
