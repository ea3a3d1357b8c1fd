"""Who is calling: a bearer access token, or an API key in ``Authorization`` or ``X-API-Key``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from lensgraph.adapters.ratelimit import Allowance
from lensgraph.adapters.tokens import InvalidToken, looks_like_jwt, same_digest, split_api_key
from lensgraph.domain.accounts import is_access_token_current, is_api_key_usable
from lensgraph.domain.costs import Spending
from lensgraph.domain.errors import unauthenticated
from lensgraph.domain.plans import effective_plan
from lensgraph.domain.policies import Viewer
from lensgraph.persistence import accounts as queries
from lensgraph.persistence import plans as plan_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import User
from lensgraph.resolvers.context import Services
from lensgraph.resolvers.plans import subscription_state

# Writing last_used_at on every call would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def credential_from_headers(headers: Mapping[str, str]) -> str | None:
    api_key = headers.get("x-api-key")
    if api_key:
        return api_key.strip()
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def authenticate(services: Services, credential: str | None) -> Viewer | None:
    """No credential is an anonymous caller; a bad one is refused, never silently ignored."""
    if not credential:
        return None
    if looks_like_jwt(credential):
        try:
            claims = services.access_tokens.verify(credential, utcnow())
        except InvalidToken:
            raise unauthenticated("The access token is invalid or has expired.") from None
        # The role comes from the account, not the token: a role change applies without waiting for expiry.
        standing = await services.account_standings.get(claims.user_id)
        if standing is None or not is_access_token_current(claims.token_version, standing):
            raise unauthenticated("The access token has been revoked: sign in again.")
        return Viewer(
            user_id=claims.user_id,
            role=standing.role,
            expires_at=claims.expires_at,
            token_version=claims.token_version,
        )
    return await _authenticate_api_key(services, credential)


async def still_current(services: Services, viewer: Viewer) -> bool:
    """Whether the credential a long-lived connection was opened with still stands: its account is not
    disabled and, for an access token, its sessions were not ended since (a cached read, as per request)."""
    standing = await services.account_standings.get(viewer.user_id)
    if viewer.token_version is None:
        return standing is not None and not standing.disabled
    return is_access_token_current(viewer.token_version, standing)


async def _authenticate_api_key(services: Services, raw_key: str) -> Viewer:
    parts = split_api_key(raw_key)
    if parts is None:
        raise unauthenticated("The credential is neither an access token nor an API key.")
    prefix, secret = parts
    now = utcnow()
    async with services.db.unit_of_work() as uow:
        key = await queries.api_key_by_prefix(uow.session, prefix)
        if key is None or not same_digest(secret, key.secret_hash):
            raise unauthenticated("The API key is invalid.")
        if not is_api_key_usable(key.revoked_at, key.expires_at, now):
            raise unauthenticated("The API key has been revoked or has expired.")
        owner = await uow.session.get(User, key.user_id)
        if owner is None:
            raise unauthenticated("The API key is invalid.")
        if owner.disabled_at is not None:
            raise unauthenticated("The API key's account has been disabled.")
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            await queries.touch_api_key(uow.session, key.id, now)
        # The plan sets the key's rate buckets (``count_request``): one more indexed read, API keys only.
        subscription = await plan_queries.subscription_of_user(uow.session, owner.id)
        plan = effective_plan(owner.role, subscription_state(subscription), now)
        return Viewer(
            user_id=owner.id,
            role=owner.role,
            via_api_key=True,
            api_key_id=key.id,
            api_key_rate=plan.limits.api_key_requests_per_minute,
        )


async def count_request(
    services: Services,
    viewer: Viewer | None,
    client_ip: str | None,
    *,
    credential_failed: bool = False,
    writes: bool = False,
) -> Allowance | None:
    """Counts one request against its caller's rate: an API key's read or write bucket (``writes``: a
    mutation), else a user's, whichever credential it came with, else the address's. A failed credential is
    also counted among its address's failures (see ``credential_barred``). None when no rate is set."""
    if viewer is not None and viewer.api_key_id is not None and (per_minute := key_rate(services, viewer, writes)):
        limiter = services.key_requests
        bucket = "writes" if writes else "reads"
        return await limiter.hit_per_minute(f"api-key:{viewer.api_key_id}:{bucket}", per_minute)
    if services.requests is None:
        return None
    if credential_failed:
        await services.requests.hit(f"credential-failures:{client_ip}")
    return await services.requests.hit(caller_of(viewer, client_ip))


def key_rate(services: Services, viewer: Viewer, writes: bool) -> int:
    """An API key's requests per minute for reads or for writes: its plan's, else the server's (0: no limit)."""
    settings = services.settings
    default = settings.api_key_write_rate_limit if writes else settings.api_key_read_rate_limit
    if default == 0:
        return 0
    return viewer.api_key_rate or default


def caller_of(viewer: Viewer | None, client_ip: str | None) -> str:
    """Whom a request counts against: a user, whichever credential it came with, else its address."""
    return f"user:{viewer.user_id}" if viewer else f"address:{client_ip}"


async def take_cost(services: Services, viewer: Viewer | None, client_ip: str | None, cost: int) -> Spending | None:
    """Takes an operation's requested cost from its caller's bucket before it runs; refused (``allowed`` false)
    when the bucket holds less. None when the bucket is turned off."""
    if services.cost_buckets is None:
        return None
    return await services.cost_buckets.take(caller_of(viewer, client_ip), cost)


async def settle_cost(services: Services, viewer: Viewer | None, client_ip: str | None, refund: int) -> Spending | None:
    """Gives back what an operation took but did not spend (its requested cost less its actual cost)."""
    if services.cost_buckets is None:
        return None
    return await services.cost_buckets.settle(caller_of(viewer, client_ip), refund)


async def credential_barred(services: Services, client_ip: str | None) -> Allowance | None:
    """The address's allowance when its failed credentials have used up the request rate, else None. Credentials
    from it are then refused unchecked, so that past the rate a right guess answers as a wrong one does."""
    if services.requests is None:
        return None
    return await services.requests.exhausted(f"credential-failures:{client_ip}")
