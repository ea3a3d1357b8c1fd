"""licenses and contracts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 21:32:19.048423
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licenses",
        sa.Column("photo_id", sa.Uuid(), nullable=True),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("photographer_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OFFERED",
                "COUNTERED",
                "ACCEPTED",
                "DECLINED",
                "CANCELLED",
                "EXPIRED",
                "AWAITING_PAYMENT",
                "ACTIVE",
                name="license_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("expires_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "usage",
            sa.Enum(
                "PERSONAL", "EDITORIAL", "COMMERCIAL", "EXTENDED", name="license_usage", native_enum=False, length=12
            ),
            nullable=False,
        ),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("territories", sa.JSON(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=True),
        sa.Column(
            "exclusivity",
            sa.Enum("NONE", "CATEGORY", "FULL", name="license_exclusivity", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "price_currency",
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
        sa.Column("starts_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["users.id"], name=op.f("fk_licenses_brand_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_licenses_photo_id_photos"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["photographer_id"], ["users.id"], name=op.f("fk_licenses_photographer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licenses")),
    )
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.create_index("ix_licenses_brand_created", ["brand_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_licenses_photo_status", ["photo_id", "status"], unique=False)
        batch_op.create_index("ix_licenses_photographer_created", ["photographer_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_licenses_status_expires", ["status", "expires_at"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("license_id", sa.Uuid(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum("AWAITING_SIGNATURES", "SIGNED", name="contract_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("document_key", sa.String(length=300), nullable=True),
        sa.Column("brand_signature_name", sa.String(length=200), nullable=True),
        sa.Column("brand_signed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("brand_signed_ip", sa.String(length=45), nullable=True),
        sa.Column("photographer_signature_name", sa.String(length=200), nullable=True),
        sa.Column("photographer_signed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("photographer_signed_ip", sa.String(length=45), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_contracts_license_id_licenses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("license_id", name=op.f("uq_contracts_license_id")),
    )
    op.create_table(
        "license_revisions",
        sa.Column("license_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.Enum("BRAND", "PHOTOGRAPHER", name="license_party", native_enum=False), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_license_revisions_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_license_revisions_license_id_licenses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_revisions")),
    )
    with op.batch_alter_table("license_revisions", schema=None) as batch_op:
        batch_op.create_index("ix_license_revisions_license_created", ["license_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("license_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_license_revisions_license_created")

    op.drop_table("license_revisions")
    op.drop_table("contracts")
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.drop_index("ix_licenses_status_expires")
        batch_op.drop_index("ix_licenses_photographer_created")
        batch_op.drop_index("ix_licenses_photo_status")
        batch_op.drop_index("ix_licenses_brand_created")

    op.drop_table("licenses")
