"""duplicate claims (with their history), photos taken down, licenses flagged; refunds asked through the API

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lensgraph.persistence.base import UTCDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

CLAIM_STATUS = sa.Enum("OPEN", "DISMISSED", "TAKEN_DOWN", name="duplicate_claim_status", native_enum=False, length=12)
OPEN = sa.text("status = 'OPEN'")


def _entity() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "duplicate_claims",
        sa.Column("photo_id", sa.Uuid(), nullable=True),
        sa.Column("original_photo_id", sa.Uuid(), nullable=True),
        sa.Column("claimant_id", sa.Uuid(), nullable=False),
        sa.Column("uploader_id", sa.Uuid(), nullable=False),
        sa.Column("status", CLAIM_STATUS, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        *_entity(),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_duplicate_claims_photo_id_photos"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["original_photo_id"],
            ["photos.id"],
            name=op.f("fk_duplicate_claims_original_photo_id_photos"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["claimant_id"], ["users.id"], name=op.f("fk_duplicate_claims_claimant_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"], ["users.id"], name=op.f("fk_duplicate_claims_uploader_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_duplicate_claims_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_claims")),
    )
    op.create_index(
        "uq_duplicate_claims_photo_open",
        "duplicate_claims",
        ["photo_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index("ix_duplicate_claims_claimant_created", "duplicate_claims", ["claimant_id", "created_at", "id"])
    op.create_index("ix_duplicate_claims_uploader_created", "duplicate_claims", ["uploader_id", "created_at", "id"])
    op.create_index("ix_duplicate_claims_status_created", "duplicate_claims", ["status", "created_at", "id"])
    op.create_table(
        "duplicate_claim_changes",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("status", CLAIM_STATUS, nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        *_entity(),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["duplicate_claims.id"],
            name=op.f("fk_duplicate_claim_changes_claim_id_duplicate_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_duplicate_claim_changes_actor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_claim_changes")),
    )
    op.create_index("ix_duplicate_claim_changes_claim", "duplicate_claim_changes", ["claim_id", "created_at", "id"])
    # Added in place: rebuilding licenses or payments on SQLite would drop their children with them (cascade).
    with op.batch_alter_table("licenses", recreate="never") as batch:
        batch.add_column(sa.Column("photo_taken_down_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("payments", recreate="never") as batch:
        batch.add_column(sa.Column("refund_requested", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("payments", recreate="never") as batch:
        batch.drop_column("refund_requested")
    with op.batch_alter_table("licenses", recreate="never") as batch:
        batch.drop_column("photo_taken_down_at")
    # A photo taken down goes back to READY: the older schema knows no other way to keep it.
    op.execute("UPDATE photos SET status = 'READY' WHERE status = 'TAKEN_DOWN'")
    op.drop_table("duplicate_claim_changes")
    op.drop_table("duplicate_claims")
