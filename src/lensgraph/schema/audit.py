"""The audit log: ``viewer.auditLog`` (your account's entries) and ``auditLog`` (everything, administrators)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import audit as audit_rules
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import Viewer as Caller
from lensgraph.domain.policies import can_see_audit_origin
from lensgraph.persistence.models import AuditEntry as AuditEntryRow
from lensgraph.persistence.pagination import Page
from lensgraph.resolvers import audit
from lensgraph.resolvers.context import Context
from lensgraph.schema.accounts import User
from lensgraph.schema.core import Connection, Node, expect_global_id, node_type, to_global_id

AuditAction = strawberry.enum(audit_rules.AuditAction, description="A security-relevant action the audit log records.")


@strawberry.type(description="One named fact of an audit entry (a key's prefix, a role before and after).")
class AuditDetail:
    name: str
    value: str


@node_type
@strawberry.type(
    description="A security-relevant action: what, when, by whom, on which account, and from where. Entries are "
    "never changed or removed."
)
class AuditEntry(Node):
    action: AuditAction  # type: ignore[valid-type]
    occurred_at: datetime
    target: strawberry.ID | None = strawberry.field(
        description="The object acted on when it is not the account itself (an ApiKey, a WebhookEndpoint)."
    )
    address: str | None = strawberry.field(
        description="The IP address the request came from. Null on your own log for an administrator's action."
    )
    user_agent: str | None = strawberry.field(
        description="The request's User-Agent (at most 512 characters). Null where `address` is."
    )
    request_id: str | None = strawberry.field(
        description="The request's id in the server's logs. Null where `address` is."
    )
    details: list[AuditDetail]
    _actor_id: strawberry.Private[UUID | None]
    _subject_id: strawberry.Private[UUID | None]

    @strawberry.field(description="Who acted; null for an anonymous request (a failed sign-in) or a deleted account.")
    async def actor(self, info: Info[Context, None]) -> User | None:
        return await _user(info, self._actor_id)

    @strawberry.field(description="The account the action concerns; null for a sign-in at an unknown email.")
    async def subject(self, info: Info[Context, None]) -> User | None:
        return await _user(info, self._subject_id)

    @classmethod
    def from_row(cls, row: AuditEntryRow, reader: Caller | None) -> AuditEntry:
        """``reader`` may read the row (checked when it was loaded); whether they see its origin is decided here."""
        origin = can_see_audit_origin(reader, row.actor_id)
        return cls(
            id=to_global_id("AuditEntry", row.id),
            action=row.action,
            occurred_at=row.created_at,
            target=to_global_id(row.target_type, row.target_id) if row.target_type and row.target_id else None,
            address=row.address if origin else None,
            user_agent=row.user_agent if origin else None,
            request_id=row.request_id if origin else None,
            details=[AuditDetail(name=name, value=value) for name, value in sorted(row.details.items())],
            _actor_id=row.actor_id,
            _subject_id=row.subject_id,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> AuditEntry | None:
        row = await audit.entry_by_id(info.context, key)
        return cls.from_row(row, info.context.viewer) if row else None


async def _user(info: Info[Context, None], user_id: UUID | None) -> User | None:
    if user_id is None:
        return None
    row = await info.context.loaders.user.load(user_id)
    return User.from_row(row) if row else None


def _connection(info: Info[Context, None], page: Page[AuditEntryRow]) -> Connection[AuditEntry]:
    reader = info.context.viewer
    return Connection[AuditEntry].from_page(page, lambda row: AuditEntry.from_row(row, reader))


@strawberry.type
class ViewerAudit:
    """Fields of ``Viewer`` about the audit log."""

    @strawberry.field(
        description="Security-relevant actions on your account, newest first: sign-ins (failed ones too), password "
        "changes and resets, API keys, secret rotations, data exports, administrators' actions."
    )
    async def audit_log(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        actions: list[AuditAction] | None = None,  # type: ignore[valid-type]
    ) -> Connection[AuditEntry]:
        page = await audit.viewer_log(info.context, page_request(first, after, last, before), tuple(actions or ()))
        return _connection(info, page)


@strawberry.input(description="What to narrow the audit log to; every part is optional.")
class AuditLogFilter:
    actor: strawberry.ID | None = strawberry.field(default=None, description="A User: what they did.")
    subject: strawberry.ID | None = strawberry.field(default=None, description="A User: what concerned their account.")
    actions: list[AuditAction] | None = None  # type: ignore[valid-type]
    occurred_from: datetime | None = strawberry.field(default=None, name="from", description="Inclusive.")
    occurred_to: datetime | None = strawberry.field(default=None, name="to", description="Exclusive.")

    def to_domain(self) -> audit_rules.AuditFilter:
        return audit_rules.AuditFilter(
            actor_id=expect_global_id(self.actor, "User", "actor") if self.actor else None,
            subject_id=expect_global_id(self.subject, "User", "subject") if self.subject else None,
            actions=tuple(self.actions or ()),
            occurred_from=self.occurred_from,
            occurred_to=self.occurred_to,
        )


@strawberry.type
class AuditQueries:
    @strawberry.field(description="Every account's audit entries, newest first. Administrators only.")
    async def audit_log(
        self,
        info: Info[Context, None],
        filter: AuditLogFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditEntry]:
        audit.require_log_reader(info.context)  # before the filter's IDs are read: a refusal says FORBIDDEN
        wanted = filter.to_domain() if filter else audit_rules.AuditFilter()
        page = await audit.whole_log(info.context, page_request(first, after, last, before), wanted)
        return _connection(info, page)
