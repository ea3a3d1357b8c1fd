"""The audit log: one row per security-relevant action, only ever inserted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.audit import MAX_ADDRESS_LENGTH, MAX_USER_AGENT_LENGTH, AuditAction
from lensgraph.persistence.base import Base, utcnow


class AuditEntry(Base):
    """Append-only: no ``updated_at``, and triggers (migration 0025) refuse UPDATE and DELETE on both dialects.

    ``actor_id`` and ``subject_id`` name users without a foreign key: an entry outlives the account it is about
    (a deleted account's history stays), and a cascade or SET NULL would be an update or a delete of the log.
    """

    __tablename__ = "audit_entries"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[AuditAction] = mapped_column(Enum(AuditAction, name="audit_action", native_enum=False, length=40))
    # Who did it: null for an anonymous caller (a failed sign-in, a reset asked for by email).
    actor_id: Mapped[uuid.UUID | None]
    # Whose account it concerns: the user's own log lists these.
    subject_id: Mapped[uuid.UUID | None]
    # The object acted on, when it is not the account itself (an API key, a webhook endpoint).
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[uuid.UUID | None]
    address: Mapped[str | None] = mapped_column(String(MAX_ADDRESS_LENGTH))
    user_agent: Mapped[str | None] = mapped_column(String(MAX_USER_AGENT_LENGTH))
    request_id: Mapped[str | None] = mapped_column(String(32))
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_audit_entries_created", "created_at", "id"),
        Index("ix_audit_entries_subject_created", "subject_id", "created_at", "id"),
        Index("ix_audit_entries_actor_created", "actor_id", "created_at", "id"),
        Index("ix_audit_entries_action_created", "action", "created_at", "id"),
    )
