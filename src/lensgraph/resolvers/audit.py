"""The audit log: recording a security-relevant action beside it, and reading the log back.

Where an action has a transaction (a unit of work), its entry is written in it: an action rolled back leaves no
entry, and an entry cannot be lost while its action commits. A refused sign-in has no transaction of its own and
gets a small one. Entries are never changed or removed: there is no code for it, and the database refuses it.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import Enum
from typing import Literal
from uuid import UUID

from lensgraph.domain import audit as rules
from lensgraph.domain.audit import AuditAction, AuditFilter
from lensgraph.domain.errors import ErrorCode, forbidden
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import can_read_audit_entry, can_read_audit_log
from lensgraph.persistence import audit as queries
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import AuditEntry
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.context import Context


class Actor(Enum):
    # The request's caller acted: the signed-in viewer, or nobody for an anonymous request.
    CALLER = "CALLER"


async def record(
    ctx: Context,
    action: AuditAction,
    *,
    uow: UnitOfWork | None,
    subject_id: UUID | None,
    actor_id: UUID | Literal[Actor.CALLER] | None = Actor.CALLER,
    target: tuple[str, UUID] | None = None,
    details: dict[str, str] | None = None,
) -> None:
    """Records ``action`` by the request in ``ctx`` (its address, user agent and request id), in ``uow``'s
    transaction, or in one of its own when ``uow`` is None (only for what has no transaction: a refused sign-in).

    ``subject_id`` is the account the action concerns (whose ``viewer.auditLog`` lists it); ``actor_id`` who
    acted, by default the signed-in caller; ``target`` the object acted on, as (node type name, key).
    """
    if actor_id is Actor.CALLER:
        actor_id = ctx.viewer.user_id if ctx.viewer is not None else None
    headers = getattr(ctx.request, "headers", None)
    entry = queries.NewAuditEntry(
        action=action,
        actor_id=actor_id,
        subject_id=subject_id,
        address=rules.clean_address(ctx.client_ip),
        user_agent=rules.clean_user_agent(headers.get("user-agent") if headers is not None else None),
        request_id=ctx.request_id,
        target_type=target[0] if target else None,
        target_id=target[1] if target else None,
        details=rules.clean_details(details),
    )
    if uow is not None:
        await queries.append(uow.session, entry)
        return
    async with ctx.db.unit_of_work() as own:
        await queries.append(own.session, entry)


async def record_failed_login(ctx: Context, *, email: str, user_id: UUID | None, refusal: ErrorCode) -> None:
    """A refused sign-in, on the account it named when there is one (its owner sees it). The email is kept only
    as a keyed digest: repeated attempts at one unknown address can be told apart, while the log holds no
    address that may belong to no customer (a typo, someone else's)."""
    details = {"reason": refusal.value}
    if user_id is None:
        details["emailDigest"] = attempted_email_digest(ctx, email)
    await record(ctx, AuditAction.LOGIN_FAILED, uow=None, subject_id=user_id, actor_id=None, details=details)


def attempted_email_digest(ctx: Context, email: str) -> str:
    """HMAC-SHA256 under a key derived from the server's secret: not reversible by hashing a list of addresses."""
    key = hmac.new(ctx.settings.signing_key, b"lensgraph audit email", hashlib.sha256).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


# Reading -----------------------------------------------------------------------------------------------------


KEYS = [AuditEntry.created_at, AuditEntry.id]


async def viewer_log(ctx: Context, page: PageRequest, actions: tuple[AuditAction, ...]) -> Page[AuditEntry]:
    """The caller's account's entries, newest first."""
    viewer = ctx.require_viewer()
    return await paginate(ctx.reads, queries.entries_about(viewer.user_id, actions), KEYS, page, descending=True)


def require_log_reader(ctx: Context) -> None:
    if not can_read_audit_log(ctx.require_viewer()):
        raise forbidden("Only administrators read the whole audit log.")


async def whole_log(ctx: Context, page: PageRequest, wanted: AuditFilter) -> Page[AuditEntry]:
    """Every account's entries, newest first: administrators only."""
    require_log_reader(ctx)
    return await paginate(ctx.reads, queries.entries_matching(wanted), KEYS, page, descending=True)


async def entry_by_id(ctx: Context, entry_id: UUID) -> AuditEntry | None:
    entry = await ctx.loaders.audit_entry.load(entry_id)
    if entry is None or not can_read_audit_entry(ctx.viewer, entry.subject_id):
        return None
    return entry
