"""The demo: four accounts and a small living marketplace, for trying the API locally. Never in production.

Everything is made through the GraphQL API of the app itself, in process, so the data is what a client would
have made: uploads analysed by the real job, releases, collections, portfolios, a lightbox, licences at each
stage paid through the offline payment mode, notifications, a webhook endpoint, verifications of simulated
cameras' RAW + JPEG pairs, shared, one listed and a tier of it bought. It runs once per database: when the demo
photographer already has photos, they are left as they are, and so are verifications.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import httpx

from lensgraph.config import Settings
from lensgraph.seed.catalogue import ANSEL, DEMO_PASSWORD, DEMO_USERS
from lensgraph.seed.client import DemoClient, SeedError
from lensgraph.seed.marketplace import Marketplace
from lensgraph.seed.verifications import VerifiedMarketplace

SEEDED = "{ viewer { photos { totalCount } verifications { totalCount } } }"

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoSeed", "SeedError", "banner", "seed_demo"]


@dataclass(frozen=True)
class DemoSeed:
    """What a start did: ``seconds`` spent seeding now, or None when the marketplace was there already."""

    seconds: float | None
    unusable: tuple[str, ...] = ()  # demo accounts whose password was changed: not signed in, not seeded


async def seed_demo(settings: Settings) -> DemoSeed:
    """Creates the demo accounts and, on a database without the demo's photos, the marketplace."""
    if settings.environment == "production":
        raise RuntimeError("refusing to load demo data in production")
    # Imported here: the CLI imports this module before it knows whether it serves the demo.
    from lensgraph.app import create_app
    from lensgraph.app.services import Services

    # One line per request of the seed would bury the banner.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The seed's own sign-ins outlast its work whatever lifetime the server gives tokens (they are never shown),
    # and its hundreds of requests are the operator's, not a caller's to be rate limited or metered.
    settings = settings.model_copy(
        update={
            "access_token_minutes": max(settings.access_token_minutes, 30),
            "request_rate_limit": None,
            "cost_bucket_size": 0,
        }
    )
    services = Services(settings)
    app = create_app(settings, services=services)
    started = time.monotonic()
    await services.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.public_url, timeout=60) as http:
            api = DemoClient(http)
            for user in DEMO_USERS:
                await api.register(user)
            unusable = tuple([user.email for user in DEMO_USERS if not await api.sign_in(user)])
            if unusable:
                return DemoSeed(seconds=None, unusable=unusable)
            has_photos, has_verifications = await _already_seeded(api)
            if has_photos and has_verifications:
                return DemoSeed(seconds=None)
            # On its own: a database seeded before the demo had verifications gains them at its next start.
            verified = VerifiedMarketplace(api)
            if not has_verifications:
                await verified.start()
            if not has_photos:
                await Marketplace(api).build()
            if not has_verifications:
                await verified.finish()
        # The notifications exist when the seed ends, not at some point after the server started.
        while await services.relay.run_once():
            pass
        return DemoSeed(seconds=time.monotonic() - started)
    finally:
        await services.close()


async def _already_seeded(api: DemoClient) -> tuple[bool, bool]:
    """Whether the demo photographer has photos, and verifications."""
    viewer = (await api.call(SEEDED, as_user=ANSEL))["viewer"]
    return bool(viewer["photos"]["totalCount"]), bool(viewer["verifications"]["totalCount"])


def banner(seed: DemoSeed) -> str:
    """Printed at every start with demo data: who to sign in as."""
    if seed.seconds is None:
        state = "Demo data: already in this database, left as it is."
    else:
        state = (
            f"Demo data: seeded in {seed.seconds:.1f} s (photos analysed, licences negotiated, one paid; "
            "photos verified, one listed and bought)."
        )
    lines = [state, "Sign in as (all with the password " + DEMO_PASSWORD + "):"]
    lines += [f"  {user.role.lower():<13} {user.email:<34} ({user.username})" for user in DEMO_USERS]
    if seed.unusable:
        lines.append("Not usable, their password was changed: " + ", ".join(seed.unusable))
    return "\n".join(lines)
