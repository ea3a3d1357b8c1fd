"""push notifications: the push channel of notifications and preferences, browser subscription keys, deliveries

Revision ID: 0029
Revises: 0025
Create Date: 2026-12-05 00:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0029"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("push", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("notification_preferences") as batch:
        batch.add_column(sa.Column("push", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("push_tokens") as batch:
        batch.add_column(sa.Column("web_push_p256dh", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("web_push_auth", sa.String(length=40), nullable=True))
    op.create_table(
        "push_deliveries",
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("push_token_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PENDING", "SUCCEEDED", "FAILED", name="push_delivery_status", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("leased_until", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_push_deliveries_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["push_token_id"],
            ["push_tokens.id"],
            name=op.f("fk_push_deliveries_push_token_id_push_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_deliveries")),
        sa.UniqueConstraint("notification_id", "push_token_id", name="uq_push_deliveries_pair"),
    )
    op.create_index("ix_push_deliveries_push_token_id", "push_deliveries", ["push_token_id"])


def downgrade() -> None:
    op.drop_index("ix_push_deliveries_push_token_id", table_name="push_deliveries")
    op.drop_table("push_deliveries")
    with op.batch_alter_table("push_tokens") as batch:
        batch.drop_column("web_push_auth")
        batch.drop_column("web_push_p256dh")
    with op.batch_alter_table("notification_preferences") as batch:
        batch.drop_column("push")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("push")
