"""invoices: studio invoices, payments of invoices, galleries linked to clients

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 18:40:00
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

PAYS_FOR_ONE = (
    "(CASE WHEN license_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN purchase_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN invoice_id IS NULL THEN 0 ELSE 1 END) = 1"
)
PAYS_FOR_LICENSE_OR_PURCHASE = (
    "(CASE WHEN license_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN purchase_id IS NULL THEN 0 ELSE 1 END) = 1"
)
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
    op.create_table(
        "invoices",
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.Enum(*CURRENCIES, name="currency", native_enum=False, length=3), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("tax_rate_basis_points", sa.Integer(), nullable=False),
        sa.Column(
            "discount_kind",
            sa.Enum("NONE", "PERCENT", "AMOUNT", name="invoice_discount_kind", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("discount_value", sa.BigInteger(), nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("discount_amount", sa.BigInteger(), nullable=False),
        sa.Column("tax_amount", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("DRAFT", "SENT", "PAID", "OVERDUE", "VOID", name="invoice_status", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("sent_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paid_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("view_token_digest", sa.String(length=64), nullable=True),
        sa.Column("link_event_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_paid >= 0 AND amount_paid <= total", name=op.f("ck_invoices_paid_within_total")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_invoices_client_id_clients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["studio_id"], ["users.id"], name=op.f("fk_invoices_studio_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("view_token_digest", name=op.f("uq_invoices_view_token_digest")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_invoices_status_due", ["status", "due_date"], unique=False)
        batch_op.create_index("ix_invoices_studio_created", ["studio_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_invoices_studio_status", ["studio_id", "status", "currency"], unique=False)

    _rebuilding_payments(_payments_pay_for_invoices)

    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_galleries_client_id"), ["client_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_galleries_client_id_clients"), "clients", ["client_id"], ["id"], ondelete="SET NULL"
        )


def _payments_pay_for_invoices() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invoice_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_payments_invoice_status", ["invoice_id", "status"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_payments_invoice_id_invoices"), "invoices", ["invoice_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.drop_constraint(batch_op.f("ck_payments_pays_for_one"), type_="check")
        batch_op.create_check_constraint("pays_for_one", PAYS_FOR_ONE)


def _payments_pay_for_licenses_or_purchases() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payments_pays_for_one"), type_="check")
        batch_op.create_check_constraint("pays_for_one", PAYS_FOR_LICENSE_OR_PURCHASE)
        batch_op.drop_constraint(batch_op.f("fk_payments_invoice_id_invoices"), type_="foreignkey")
        batch_op.drop_index("ix_payments_invoice_status")
        batch_op.drop_column("invoice_id")


def _rebuilding_payments(change: Callable[[], None]) -> None:
    """SQLite rebuilds the payments table to change its check, and dropping the old one would delete its earnings
    (ON DELETE CASCADE, with foreign keys on): they are kept aside and put back, as in 0013."""
    if op.get_bind().dialect.name != "sqlite":
        change()
        return
    op.execute("CREATE TEMPORARY TABLE earnings_kept AS SELECT * FROM earnings")
    change()
    op.execute("INSERT INTO earnings SELECT * FROM earnings_kept WHERE id NOT IN (SELECT id FROM earnings)")
    op.execute("DROP TABLE earnings_kept")


def downgrade() -> None:
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_galleries_client_id_clients"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_galleries_client_id"))
        batch_op.drop_column("client_id")

    # Invoice payments go with the invoices: licenses and purchases are all the old schema knows.
    op.execute("DELETE FROM payments WHERE invoice_id IS NOT NULL")
    _rebuilding_payments(_payments_pay_for_licenses_or_purchases)

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_studio_status")
        batch_op.drop_index("ix_invoices_studio_created")
        batch_op.drop_index("ix_invoices_status_due")
        batch_op.drop_index(batch_op.f("ix_invoices_client_id"))
    op.drop_table("invoices")
