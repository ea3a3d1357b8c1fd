"""security columns: confirmed files' content hashes, per-user token version and disabling, webhook secret rollover

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lensgraph.persistence.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("disabled_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("previous_secret_expires_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Altered in place: rebuilding a parent table on SQLite would cascade-delete its children.
    with op.batch_alter_table("webhook_endpoints", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("previous_secret_expires_at")
        batch_op.drop_column("previous_secret")
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("token_version")
    with op.batch_alter_table("releases", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("document_sha256")
    with op.batch_alter_table("photos", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("original_sha256")
