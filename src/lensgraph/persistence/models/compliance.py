from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.compliance import DataRequestKind, DataRequestStatus
from lensgraph.persistence.base import Entity

PENDING = text("status = 'PENDING'")


class DataRequest(Entity):
    """An export or a deletion a person asked for; kept after a deletion as the record that it was carried out
    (it names only the tombstone's id)."""

    __tablename__ = "data_requests"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[DataRequestKind] = mapped_column(
        Enum(DataRequestKind, name="data_request_kind", native_enum=False, length=10)
    )
    status: Mapped[DataRequestStatus] = mapped_column(
        Enum(DataRequestStatus, name="data_request_status", native_enum=False, length=10)
    )
    # A deletion: when the sweep carries it out. An export: when its link stops working.
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # An export: the storage prefix its JSON and file list were written under.
    storage_prefix: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_data_requests_user_created", "user_id", "created_at", "id"),
        Index("ix_data_requests_kind_status_due", "kind", "status", "due_at"),
        # One pending request of each kind per person, however many arrive at once.
        Index(
            "uq_data_requests_pending",
            "user_id",
            "kind",
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        ),
    )


class ConsentRecord(Entity):
    """Every consent choice a person made, newest last: the latest is in force, the rest is the history."""

    __tablename__ = "consent_records"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    marketing_emails: Mapped[bool]
    product_analytics: Mapped[bool]
    third_party_sharing: Mapped[bool]

    __table_args__ = (Index("ix_consent_records_user_created", "user_id", "created_at", "id"),)
