"""Demo accounts for trying the API locally. Never run against production data."""

from __future__ import annotations

import logging

from lensgraph.config import Settings
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.persistence.loaders import Loaders
from lensgraph.resolvers import accounts
from lensgraph.resolvers.context import Context, Services

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-password-123"
DEMO_USERS = (
    ("photographer@demo.lensgraph.dev", Role.PHOTOGRAPHER, "Ansel", "Adams", "ansel"),
    ("brand@demo.lensgraph.dev", Role.BRAND, "Bea", "Brand", "acme-brand"),
    ("studio@demo.lensgraph.dev", Role.STUDIO, "Sam", "Studio", "sam-studio"),
)


async def seed_demo(settings: Settings) -> None:
    """Creates the demo accounts that do not exist yet; all share ``DEMO_PASSWORD``."""
    if settings.environment == "production":
        raise RuntimeError("refusing to load demo accounts in production")
    services = Services(settings)
    context = Context(services=services, request=None, viewer=None, loaders=Loaders(services.db))
    try:
        for email, role, first_name, last_name, username in DEMO_USERS:
            try:
                await accounts.register(
                    context,
                    email=email,
                    password=DEMO_PASSWORD,
                    role=role,
                    first_name=first_name,
                    last_name=last_name,
                    username=username,
                )
                log.info("demo %s: %s / %s", role.value.lower(), email, DEMO_PASSWORD)
            except DomainError as error:
                if error.code is not ErrorCode.ALREADY_EXISTS:
                    raise
    finally:
        await services.close()
