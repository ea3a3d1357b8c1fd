"""payment refunds

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 00:36:52.470919
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("earnings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("SALE", "CLAWBACK", name="earning_kind", native_enum=False),
                nullable=False,
                server_default="SALE",
            )
        )
        batch_op.drop_constraint(batch_op.f("uq_earnings_payment_id"), type_="unique")
        batch_op.create_index("ix_earnings_payment", ["payment_id"], unique=False)
        batch_op.create_index(
            "uq_earnings_payment_sale",
            ["payment_id"],
            unique=True,
            sqlite_where=sa.text("kind = 'SALE'"),
            postgresql_where=sa.text("kind = 'SALE'"),
        )

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refunded_amount", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.create_index("ix_payments_payment_intent", ["stripe_payment_intent_id"], unique=False)


def downgrade() -> None:
    # Altered in place: rebuilding payments on SQLite would drop the old table, and its earnings with it (cascade).
    with op.batch_alter_table("payments", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_payments_payment_intent")
        batch_op.drop_column("refunded_amount")

    # Without their kind, clawbacks would pass for sales (and break the one-earning-per-payment constraint).
    op.execute("DELETE FROM earnings WHERE kind = 'CLAWBACK'")
    with op.batch_alter_table("earnings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_earnings_payment_sale", sqlite_where=sa.text("kind = 'SALE'"), postgresql_where=sa.text("kind = 'SALE'")
        )
        batch_op.drop_index("ix_earnings_payment")
        batch_op.create_unique_constraint(batch_op.f("uq_earnings_payment_id"), ["payment_id"])
        batch_op.drop_column("kind")
