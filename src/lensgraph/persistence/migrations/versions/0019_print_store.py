"""print store: print products, print orders and their items; payments of print orders; galleries' print store switch

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'PENDING'")
PAYS_FOR_ONE = (
    "(CASE WHEN license_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN purchase_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN invoice_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN print_order_id IS NULL THEN 0 ELSE 1 END) = 1"
)
# As 0018 left it.
PAYS_FOR_ANYTHING_BUT_PRINT_ORDERS = (
    "(CASE WHEN license_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN purchase_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN invoice_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def _times() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
    ]


def _currency() -> sa.Enum:
    return sa.Enum(*CURRENCIES, name="currency", native_enum=False, length=3)


CURRENCIES = [
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
]


def upgrade() -> None:
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("print_store", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.alter_column("print_store", server_default=None)

    op.create_table(
        "print_products",
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.String(length=50), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", _currency(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_times(),
        sa.ForeignKeyConstraint(
            ["studio_id"], ["users.id"], name=op.f("fk_print_products_studio_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_products")),
    )
    with op.batch_alter_table("print_products", schema=None) as batch_op:
        batch_op.create_index("ix_print_products_studio_created", ["studio_id", "created_at", "id"], unique=False)

    op.create_table(
        "print_orders",
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column("visitor", sa.String(length=254), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ship_name", sa.String(length=100), nullable=False),
        sa.Column("ship_line1", sa.String(length=200), nullable=False),
        sa.Column("ship_line2", sa.String(length=200), nullable=True),
        sa.Column("ship_city", sa.String(length=100), nullable=False),
        sa.Column("ship_postal_code", sa.String(length=20), nullable=False),
        sa.Column("ship_region", sa.String(length=100), nullable=True),
        sa.Column("ship_country", sa.String(length=2), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", _currency(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "PAID",
                "IN_PRODUCTION",
                "SHIPPED",
                "CANCELLED",
                "REFUNDED",
                name="print_order_status",
                native_enum=False,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("tracking_number", sa.String(length=100), nullable=True),
        sa.Column("paid_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_times(),
        sa.ForeignKeyConstraint(
            ["gallery_id"], ["galleries.id"], name=op.f("fk_print_orders_gallery_id_galleries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["studio_id"], ["users.id"], name=op.f("fk_print_orders_studio_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_orders")),
    )
    with op.batch_alter_table("print_orders", schema=None) as batch_op:
        batch_op.create_index("ix_print_orders_studio_created", ["studio_id", "created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_print_orders_studio_status_created", ["studio_id", "status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_print_orders_gallery_visitor", ["gallery_id", "visitor", "created_at", "id"], unique=False
        )

    op.create_table(
        "print_order_items",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=True),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("product_name", sa.String(length=100), nullable=False),
        sa.Column("product_size", sa.String(length=50), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_amount", sa.BigInteger(), nullable=False),
        sa.Column("line_amount", sa.BigInteger(), nullable=False),
        *_times(),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["print_orders.id"],
            name=op.f("fk_print_order_items_order_id_print_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_print_order_items_photo_id_photos"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["print_products.id"],
            name=op.f("fk_print_order_items_product_id_print_products"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_order_items")),
    )
    with op.batch_alter_table("print_order_items", schema=None) as batch_op:
        batch_op.create_index("ix_print_order_items_order", ["order_id", "position"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_order_items_photo_id"), ["photo_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_order_items_product_id"), ["product_id"], unique=False)

    _rebuilding_payments(_payments_pay_for_print_orders)


def downgrade() -> None:
    # Print orders' payments and their earnings go with the orders.
    op.execute("DELETE FROM payments WHERE print_order_id IS NOT NULL")
    # Before this revision an invoice's payment named its studio as the payer (brand_id was required).
    op.execute(
        "UPDATE payments SET brand_id = (SELECT studio_id FROM invoices WHERE invoices.id = payments.invoice_id)"
        " WHERE brand_id IS NULL AND invoice_id IS NOT NULL"
    )
    _rebuilding_payments(_payments_without_print_orders)
    with op.batch_alter_table("print_order_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_order_items_product_id"))
        batch_op.drop_index(batch_op.f("ix_print_order_items_photo_id"))
        batch_op.drop_index("ix_print_order_items_order")
    op.drop_table("print_order_items")
    with op.batch_alter_table("print_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_print_orders_gallery_visitor")
        batch_op.drop_index("ix_print_orders_studio_status_created")
        batch_op.drop_index("ix_print_orders_studio_created")
    op.drop_table("print_orders")
    with op.batch_alter_table("print_products", schema=None) as batch_op:
        batch_op.drop_index("ix_print_products_studio_created")
    op.drop_table("print_products")
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.drop_column("print_store")


def _payments_pay_for_print_orders() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payments_pays_for_one"), type_="check")
        batch_op.add_column(sa.Column("print_order_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("brand_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index("ix_payments_print_order", ["print_order_id"], unique=False)
        batch_op.create_index(
            "uq_payments_print_order_pending",
            ["print_order_id"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_payments_print_order_id_print_orders"),
            "print_orders",
            ["print_order_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint("pays_for_one", PAYS_FOR_ONE)


def _payments_without_print_orders() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payments_pays_for_one"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_payments_print_order_id_print_orders"), type_="foreignkey")
        batch_op.drop_index("uq_payments_print_order_pending", sqlite_where=PENDING, postgresql_where=PENDING)
        batch_op.drop_index("ix_payments_print_order")
        batch_op.alter_column("brand_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("print_order_id")
        batch_op.create_check_constraint("pays_for_one", PAYS_FOR_ANYTHING_BUT_PRINT_ORDERS)


def _rebuilding_payments(change: Callable[[], None]) -> None:
    """As in 0013: SQLite rebuilds the payments table to change it, and dropping the old one would delete its
    earnings (ON DELETE CASCADE): they are kept aside and put back."""
    if op.get_bind().dialect.name != "sqlite":
        change()
        return
    op.execute("CREATE TEMPORARY TABLE earnings_kept AS SELECT * FROM earnings")
    change()
    op.execute("INSERT INTO earnings SELECT * FROM earnings_kept WHERE id NOT IN (SELECT id FROM earnings)")
    op.execute("DROP TABLE earnings_kept")
