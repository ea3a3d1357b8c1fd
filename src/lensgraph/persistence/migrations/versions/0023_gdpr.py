"""GDPR: data requests (exports and deletions, one pending of each kind per person) and the consent history

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'PENDING'")


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("EXPORT", "DELETION", name="data_request_kind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING", "READY", "COMPLETED", "CANCELLED", name="data_request_status", native_enum=False, length=10
            ),
            nullable=False,
        ),
        sa.Column("due_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("storage_prefix", sa.String(length=200), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_data_requests_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    op.create_index("ix_data_requests_user_created", "data_requests", ["user_id", "created_at", "id"])
    op.create_index("ix_data_requests_kind_status_due", "data_requests", ["kind", "status", "due_at"])
    op.create_index(
        "uq_data_requests_pending",
        "data_requests",
        ["user_id", "kind"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.create_table(
        "consent_records",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("marketing_emails", sa.Boolean(), nullable=False),
        sa.Column("product_analytics", sa.Boolean(), nullable=False),
        sa.Column("third_party_sharing", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consent_records_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index("ix_consent_records_user_created", "consent_records", ["user_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_consent_records_user_created", table_name="consent_records")
    op.drop_table("consent_records")
    op.drop_index(
        "uq_data_requests_pending", table_name="data_requests", sqlite_where=PENDING, postgresql_where=PENDING
    )
    op.drop_index("ix_data_requests_kind_status_due", table_name="data_requests")
    op.drop_index("ix_data_requests_user_created", table_name="data_requests")
    op.drop_table("data_requests")
