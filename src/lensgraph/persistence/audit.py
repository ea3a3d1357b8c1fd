"""The audit log's statements: an INSERT and SELECTs, nothing else. The log is append-only; the database refuses
UPDATE and DELETE on it too (triggers in migration 0025), and a test holds this module to INSERT and SELECT."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import Select, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.audit import AuditAction, AuditFilter
from lensgraph.persistence.models import AuditEntry


@dataclass(frozen=True)
class NewAuditEntry:
    action: AuditAction
    actor_id: UUID | None
    subject_id: UUID | None
    address: str | None
    user_agent: str | None
    request_id: str | None
    target_type: str | None = None
    target_id: UUID | None = None
    details: dict[str, str] = field(default_factory=dict)


async def append(session: AsyncSession, entry: NewAuditEntry) -> None:
    """Adds one entry in the session's transaction: it commits, or rolls back, with the action it records."""
    await session.execute(
        insert(AuditEntry).values(
            action=entry.action,
            actor_id=entry.actor_id,
            subject_id=entry.subject_id,
            target_type=entry.target_type,
            target_id=entry.target_id,
            address=entry.address,
            user_agent=entry.user_agent,
            request_id=entry.request_id,
            details=entry.details,
        )
    )


def entries_about(subject_id: UUID, actions: Sequence[AuditAction] = ()) -> Select[AuditEntry]:
    """One account's entries (index on subject, time, id), for keyset pagination."""
    query = select(AuditEntry).where(AuditEntry.subject_id == subject_id)
    return query.where(AuditEntry.action.in_(actions)) if actions else query


def entries_matching(wanted: AuditFilter) -> Select[AuditEntry]:
    """Every account's entries, narrowed by the administrator's filter."""
    query = select(AuditEntry)
    if wanted.actor_id is not None:
        query = query.where(AuditEntry.actor_id == wanted.actor_id)
    if wanted.subject_id is not None:
        query = query.where(AuditEntry.subject_id == wanted.subject_id)
    if wanted.actions:
        query = query.where(AuditEntry.action.in_(wanted.actions))
    if wanted.occurred_from is not None:
        query = query.where(AuditEntry.created_at >= wanted.occurred_from)
    if wanted.occurred_to is not None:
        query = query.where(AuditEntry.created_at < wanted.occurred_to)
    return query


async def entries_by_ids(session: AsyncSession, ids: Sequence[UUID]) -> list[AuditEntry | None]:
    """For the dataloader behind ``node(id:)``: in the order of ``ids``, None where there is none."""
    found = {row.id: row for row in await session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids)))}
    return [found.get(key) for key in ids]
