"""payments and payouts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 22:24:19.172238
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("received_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
    )
    op.create_table(
        "payout_accounts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_account_id", sa.String(length=255), nullable=False),
        sa.Column("charges_enabled", sa.Boolean(), nullable=False),
        sa.Column("payouts_enabled", sa.Boolean(), nullable=False),
        sa.Column("details_submitted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payout_accounts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_payout_accounts")),
        sa.UniqueConstraint("stripe_account_id", name=op.f("uq_payout_accounts_stripe_account_id")),
    )
    op.create_table(
        "payouts",
        sa.Column("photographer_id", sa.Uuid(), nullable=False),
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
        sa.Column(
            "status",
            sa.Enum("PENDING", "PAID", "FAILED", name="payout_status", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("stripe_transfer_id", sa.String(length=255), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("paid_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["photographer_id"], ["users.id"], name=op.f("fk_payouts_photographer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("stripe_transfer_id", name=op.f("uq_payouts_stripe_transfer_id")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index("ix_payouts_photographer_created", ["photographer_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_payouts_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "payments",
        sa.Column("license_id", sa.Uuid(), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
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
        sa.Column(
            "status",
            sa.Enum("PENDING", "SUCCEEDED", "FAILED", "REFUNDED", name="payment_status", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("stripe_checkout_session_id", sa.String(length=255), nullable=False),
        sa.Column("checkout_url", sa.String(length=2000), nullable=False),
        sa.Column("checkout_expires_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stripe_payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("paid_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["users.id"], name=op.f("fk_payments_brand_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_payments_license_id_licenses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("stripe_checkout_session_id", name=op.f("uq_payments_stripe_checkout_session_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_brand_created", ["brand_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_payments_license", ["license_id"], unique=False)
        batch_op.create_index(
            "uq_payments_license_pending",
            ["license_id"],
            unique=True,
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )

    op.create_table(
        "earnings",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("photographer_id", sa.Uuid(), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
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
        sa.Column(
            "status", sa.Enum("PENDING", "PAID", name="earning_status", native_enum=False, length=8), nullable=False
        ),
        sa.Column("payout_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_earnings_payment_id_payments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"], ["payouts.id"], name=op.f("fk_earnings_payout_id_payouts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["photographer_id"], ["users.id"], name=op.f("fk_earnings_photographer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earnings")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_earnings_payment_id")),
    )
    with op.batch_alter_table("earnings", schema=None) as batch_op:
        batch_op.create_index("ix_earnings_payout", ["payout_id"], unique=False)
        batch_op.create_index(
            "ix_earnings_photographer_status", ["photographer_id", "status", "currency"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("earnings", schema=None) as batch_op:
        batch_op.drop_index("ix_earnings_photographer_status")
        batch_op.drop_index("ix_earnings_payout")

    op.drop_table("earnings")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payments_license_pending",
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )
        batch_op.drop_index("ix_payments_license")
        batch_op.drop_index("ix_payments_brand_created")

    op.drop_table("payments")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index("ix_payouts_status_created")
        batch_op.drop_index("ix_payouts_photographer_created")

    op.drop_table("payouts")
    op.drop_table("payout_accounts")
    op.drop_table("stripe_events")
