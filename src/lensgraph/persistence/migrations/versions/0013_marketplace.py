"""marketplace: listings, their tiers, purchases; payments pay for a license or a purchase

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 15:18:06.224073
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listings",
        sa.Column("verification_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
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
        sa.Column("lowest_price", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deactivated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("total_sales", sa.Integer(), nullable=False),
        sa.Column("total_revenue", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["users.id"], name=op.f("fk_listings_seller_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["verifications.id"],
            name=op.f("fk_listings_verification_id_verifications"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index("ix_listings_active_created", ["active", "created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_listings_active_currency_price", ["active", "currency", "lowest_price", "id"], unique=False
        )
        batch_op.create_index("ix_listings_active_price", ["active", "lowest_price", "id"], unique=False)
        batch_op.create_index("ix_listings_active_sales", ["active", "total_sales", "id"], unique=False)
        batch_op.create_index("ix_listings_seller_created", ["seller_id", "created_at", "id"], unique=False)
        batch_op.create_index(
            "uq_listings_verification_active",
            ["verification_id"],
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )

    op.create_table(
        "listing_tiers",
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "PERSONAL", "COMMERCIAL", "EDITORIAL", "EXTENDED", name="license_tier", native_enum=False, length=12
            ),
            nullable=False,
        ),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_tiers_listing_id_listings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("listing_id", "tier", name=op.f("pk_listing_tiers")),
    )
    with op.batch_alter_table("listing_tiers", schema=None) as batch_op:
        batch_op.create_index("ix_listing_tiers_tier_price", ["tier", "price", "listing_id"], unique=False)

    op.create_table(
        "purchases",
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "PERSONAL", "COMMERCIAL", "EDITORIAL", "EXTENDED", name="license_tier", native_enum=False, length=12
            ),
            nullable=False,
        ),
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
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PENDING", "COMPLETED", "FAILED", "REFUNDED", name="purchase_status", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("paid_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("download_expires_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("licensed_key", sa.String(length=300), nullable=True),
        sa.Column("licensed_sha256", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_purchases_buyer_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_purchases_listing_id_listings"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["users.id"], name=op.f("fk_purchases_seller_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchases")),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.create_index("ix_purchases_buyer_created", ["buyer_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_purchases_listing_status_paid", ["listing_id", "status", "paid_at"], unique=False)
        batch_op.create_index("ix_purchases_seller_created", ["seller_id", "created_at", "id"], unique=False)
        batch_op.create_index(
            "uq_purchases_open",
            ["listing_id", "buyer_id", "tier"],
            unique=True,
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )

    _rebuilding_payments(_payments_pay_for_one)


def downgrade() -> None:
    # Purchases' payments and their earnings go with the purchases: licenses are all the old schema knows.
    op.execute("DELETE FROM payments WHERE purchase_id IS NOT NULL")
    _rebuilding_payments(_payments_pay_for_licenses)

    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_purchases_open",
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )
        batch_op.drop_index("ix_purchases_seller_created")
        batch_op.drop_index("ix_purchases_listing_status_paid")
        batch_op.drop_index("ix_purchases_buyer_created")

    op.drop_table("purchases")
    with op.batch_alter_table("listing_tiers", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_tiers_tier_price")

    op.drop_table("listing_tiers")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_listings_verification_active", sqlite_where=sa.text("active"), postgresql_where=sa.text("active")
        )
        batch_op.drop_index("ix_listings_seller_created")
        batch_op.drop_index("ix_listings_active_sales")
        batch_op.drop_index("ix_listings_active_price")
        batch_op.drop_index("ix_listings_active_currency_price")
        batch_op.drop_index("ix_listings_active_created")

    op.drop_table("listings")


def _payments_pay_for_one() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purchase_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("license_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index("ix_payments_purchase", ["purchase_id"], unique=False)
        batch_op.create_index(
            "uq_payments_purchase_pending",
            ["purchase_id"],
            unique=True,
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_payments_purchase_id_purchases"), "purchases", ["purchase_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_check_constraint("pays_for_one", PAYS_FOR_ONE)


def _payments_pay_for_licenses() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payments_pays_for_one"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_payments_purchase_id_purchases"), type_="foreignkey")
        batch_op.drop_index(
            "uq_payments_purchase_pending",
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )
        batch_op.drop_index("ix_payments_purchase")
        batch_op.alter_column("license_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("purchase_id")


PAYS_FOR_ONE = (
    "(CASE WHEN license_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN purchase_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def _rebuilding_payments(change: Callable[[], None]) -> None:
    """SQLite changes a column's nullability by rebuilding the table, and dropping the old payments table would
    delete its earnings (ON DELETE CASCADE, with foreign keys on): they are kept aside and put back."""
    if op.get_bind().dialect.name != "sqlite":
        change()
        return
    op.execute("CREATE TEMPORARY TABLE earnings_kept AS SELECT * FROM earnings")
    change()
    op.execute("INSERT INTO earnings SELECT * FROM earnings_kept WHERE id NOT IN (SELECT id FROM earnings)")
    op.execute("DROP TABLE earnings_kept")
