"""API keys: minted once, stored as a digest, listed without their secret, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from lensgraph.adapters.tokens import new_api_key
from lensgraph.domain import plans as plan_rules
from lensgraph.domain.accounts import api_key_expiry
from lensgraph.domain.audit import AuditAction
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import ApiKeyCreated
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import can_manage_credentials, owns
from lensgraph.persistence import accounts as queries
from lensgraph.persistence import plans as plan_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import ApiKey
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import audit, plans
from lensgraph.resolvers.context import Context

MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class CreatedApiKey:
    key: ApiKey
    raw_key: str


def _require_key_manager(ctx: Context) -> UUID:
    viewer = ctx.require_viewer()
    if not can_manage_credentials(viewer):
        raise forbidden("API keys can only be managed when signed in with a password, not with an API key.")
    return viewer.user_id


async def create_api_key(ctx: Context, *, description: str, expires_in_days: int | None) -> CreatedApiKey:
    user_id = _require_key_manager(ctx)
    description = " ".join(description.split())
    if not description or len(description) > MAX_DESCRIPTION:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Describe the key in 1 to {MAX_DESCRIPTION} characters.", ["description"]
        )
    now = utcnow()
    expires_at = api_key_expiry(now, expires_in_days)
    raw, prefix, secret_hash = new_api_key()
    key = ApiKey(
        user_id=user_id,
        prefix=prefix,
        secret_hash=secret_hash,
        description=description,
        expires_at=expires_at,
    )
    plan = await plans.require_plan(ctx)
    async with ctx.db.unit_of_work() as uow:
        # The owner's row, held before counting: two keys created at once cannot both take the plan's last place.
        await plan_queries.hold_account(uow.session, user_id)
        used = await plan_queries.live_api_key_count(uow.session, user_id, now)
        plan_rules.check_within(used, plan.limits.api_keys, "API keys in use at once")
        uow.session.add(key)
        await uow.session.flush()
        uow.emit(ApiKeyCreated(api_key_id=key.id, prefix=prefix, description=description, audience=(user_id,)))
        created = {"prefix": prefix, "description": description}
        await audit.record(
            ctx, AuditAction.API_KEY_CREATED, uow=uow, subject_id=user_id, target=("ApiKey", key.id), details=created
        )
    return CreatedApiKey(key=key, raw_key=raw)


async def revoke_api_key(ctx: Context, key_id: UUID) -> ApiKey:
    _require_key_manager(ctx)
    async with ctx.db.unit_of_work() as uow:
        key = await uow.session.get(ApiKey, key_id, with_for_update=True)
        if key is None or not owns(ctx.viewer, key.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such API key.", ["id"])
        if key.revoked_at is None:
            # Revoked once, recorded once: of two revocations at once, one changes the row.
            if not await queries.revoke_api_key(uow.session, key.id, utcnow()):
                await uow.session.refresh(key)
                return key
            revoked = {"prefix": key.prefix}
            await audit.record(
                ctx,
                AuditAction.API_KEY_REVOKED,
                uow=uow,
                subject_id=key.user_id,
                target=("ApiKey", key.id),
                details=revoked,
            )
        return key


async def list_api_keys(ctx: Context, page: PageRequest) -> Page[ApiKey]:
    viewer = ctx.require_viewer()
    query = queries.api_keys_of(viewer.user_id)
    return await paginate(ctx.reads, query, [ApiKey.created_at, ApiKey.id], page, descending=True)
