"""verifications: the RAW + JPEG pairs, their invitations, view days and charged usage; uploads for them; budgets

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 15:13:11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "QUEUED",
                "IN_PROGRESS",
                "COMPLETED",
                "FAILED",
                name="verification_status",
                native_enum=False,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("authentic", sa.Boolean(), nullable=True),
        sa.Column("result_confidence", sa.Float(), nullable=True),
        sa.Column("integrity_score", sa.Float(), nullable=True),
        sa.Column("security_score", sa.Float(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("raw_metadata", sa.JSON(), nullable=False),
        sa.Column("image_metadata", sa.JSON(), nullable=False),
        sa.Column("raw_key", sa.String(length=300), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_format", sa.String(length=10), nullable=False),
        sa.Column("raw_size", sa.BigInteger(), nullable=False),
        sa.Column("image_key", sa.String(length=300), nullable=False),
        sa.Column("image_sha256", sa.String(length=64), nullable=False),
        sa.Column("image_size", sa.BigInteger(), nullable=False),
        sa.Column("image_phash", sa.String(length=16), nullable=True),
        sa.Column("thumbnail_key", sa.String(length=300), nullable=True),
        sa.Column("watermarked_key", sa.String(length=300), nullable=True),
        sa.Column("short_code", sa.String(length=12), nullable=False),
        sa.Column(
            "access_type",
            sa.Enum("RESTRICTED", "ANYONE_WITH_LINK", name="verification_access_type", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("share_token_hash", sa.String(length=64), nullable=True),
        sa.Column("show_location", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("completed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_verifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
        sa.UniqueConstraint("share_token_hash", name=op.f("uq_verifications_share_token_hash")),
        sa.UniqueConstraint("short_code", name=op.f("uq_verifications_short_code")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index("ix_verifications_image_phash", ["image_phash"], unique=False)
        batch_op.create_index("ix_verifications_image_sha256", ["image_sha256"], unique=False)
        batch_op.create_index("ix_verifications_status_updated", ["status", "updated_at"], unique=False)
        batch_op.create_index(
            "ix_verifications_user_authentic_created", ["user_id", "authentic", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_verifications_user_completed", ["user_id", "completed_at", "id"], unique=False)
        batch_op.create_index("ix_verifications_user_created", ["user_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_verifications_user_name", ["user_id", "name", "id"], unique=False)
        batch_op.create_index(
            "ix_verifications_user_status_created", ["user_id", "status", "created_at", "id"], unique=False
        )

    op.create_table(
        "verification_invites",
        sa.Column("verification_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("invited_user_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_user_id"],
            ["users.id"],
            name=op.f("fk_verification_invites_invited_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["verifications.id"],
            name=op.f("fk_verification_invites_verification_id_verifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_invites")),
    )
    with op.batch_alter_table("verification_invites", schema=None) as batch_op:
        batch_op.create_index("ix_verification_invites_email", ["email"], unique=False)
        batch_op.create_index("ix_verification_invites_invited_user", ["invited_user_id"], unique=False)
        batch_op.create_index(
            "ix_verification_invites_verification_created", ["verification_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "uq_verification_invites_live_email",
            ["verification_id", "email"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "verification_usage",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("verification_id", sa.Uuid(), nullable=True),
        sa.Column("overage", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "currency",
            sa.Enum(
                "USD",
                "CAD",
                "MXN",
                "EUR",
                "GBP",
                "CHF",
                "SEK",
                "NOK",
                "DKK",
                "PLN",
                "CZK",
                "HUF",
                "RON",
                "BGN",
                "AUD",
                "NZD",
                "JPY",
                "SGD",
                "HKD",
                "KRW",
                "CNY",
                "INR",
                "THB",
                "MYR",
                "BRL",
                "AED",
                "ZAR",
                "ILS",
                name="currency",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("reported_to_stripe_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stripe_usage_id", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_verification_usage_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["verifications.id"],
            name=op.f("fk_verification_usage_verification_id_verifications"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_usage")),
        sa.UniqueConstraint("verification_id", name=op.f("uq_verification_usage_verification_id")),
    )
    with op.batch_alter_table("verification_usage", schema=None) as batch_op:
        batch_op.create_index(
            "ix_verification_usage_unreported",
            ["created_at"],
            unique=False,
            sqlite_where=sa.text("overage AND reported_to_stripe_at IS NULL"),
            postgresql_where=sa.text("overage AND reported_to_stripe_at IS NULL"),
        )
        batch_op.create_index("ix_verification_usage_user_month", ["user_id", "month", "overage"], unique=False)

    op.create_table(
        "verification_view_days",
        sa.Column("verification_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["verifications.id"],
            name=op.f("fk_verification_view_days_verification_id_verifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("verification_id", "day", name=op.f("pk_verification_view_days")),
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declared_sha256", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "purpose",
            existing_type=sa.VARCHAR(length=20),
            type_=sa.Enum(
                "PHOTO",
                "RELEASE_DOCUMENT",
                "RAW",
                "IMAGE_FOR_VERIFICATION",
                name="upload_purpose",
                native_enum=False,
                length=30,
            ),
            existing_nullable=False,
            existing_server_default=sa.text("'PHOTO'"),
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification_budget", sa.BigInteger(), server_default="0", nullable=False))


def downgrade() -> None:
    # Altered in place: rebuilding a parent table on SQLite would cascade-delete its children.
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("verification_budget")

    op.execute("DELETE FROM uploads WHERE purpose IN ('RAW', 'IMAGE_FOR_VERIFICATION')")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.alter_column(
            "purpose",
            existing_type=sa.Enum(
                "PHOTO",
                "RELEASE_DOCUMENT",
                "RAW",
                "IMAGE_FOR_VERIFICATION",
                name="upload_purpose",
                native_enum=False,
                length=30,
            ),
            type_=sa.VARCHAR(length=20),
            existing_nullable=False,
            existing_server_default=sa.text("'PHOTO'"),
        )
        batch_op.drop_column("declared_sha256")

    op.drop_table("verification_view_days")
    with op.batch_alter_table("verification_usage", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_usage_user_month")
        batch_op.drop_index(
            "ix_verification_usage_unreported",
            sqlite_where=sa.text("overage AND reported_to_stripe_at IS NULL"),
            postgresql_where=sa.text("overage AND reported_to_stripe_at IS NULL"),
        )

    op.drop_table("verification_usage")
    with op.batch_alter_table("verification_invites", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_verification_invites_live_email",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index("ix_verification_invites_verification_created")
        batch_op.drop_index("ix_verification_invites_invited_user")
        batch_op.drop_index("ix_verification_invites_email")

    op.drop_table("verification_invites")
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index("ix_verifications_user_status_created")
        batch_op.drop_index("ix_verifications_user_name")
        batch_op.drop_index("ix_verifications_user_created")
        batch_op.drop_index("ix_verifications_user_completed")
        batch_op.drop_index("ix_verifications_user_authentic_created")
        batch_op.drop_index("ix_verifications_status_updated")
        batch_op.drop_index("ix_verifications_image_sha256")
        batch_op.drop_index("ix_verifications_image_phash")

    op.drop_table("verifications")
