"""The attacks an outside audit found, each reproduced through the API or HTTP, on SQLite and PostgreSQL.

The fixtures are the API suite's: a real database, the ASGI app, the in-process worker, a Stripe fake.
"""

from tests.api.conftest import *  # noqa: F403
