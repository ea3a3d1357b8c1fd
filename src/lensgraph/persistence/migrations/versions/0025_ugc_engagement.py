"""user-generated content engagement: daily totals per content and product, and content popularity

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 22:20:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def _engagement_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
        sa.Column("clicks", sa.BigInteger(), nullable=False),
        sa.Column("add_to_cart", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("ugc_content") as batch:
        batch.add_column(sa.Column("popularity", sa.BigInteger(), server_default="0", nullable=False))
    op.create_index("ix_ugc_content_album_popularity", "ugc_content", ["album_id", "popularity", "created_at", "id"])
    op.create_table(
        "ugc_content_engagement_days",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        *_engagement_columns(),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["ugc_content.id"],
            name=op.f("fk_ugc_content_engagement_days_content_id_ugc_content"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "day", name=op.f("pk_ugc_content_engagement_days")),
    )
    op.create_table(
        "ugc_product_engagement_days",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        *_engagement_columns(),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["ugc_products.id"],
            name=op.f("fk_ugc_product_engagement_days_product_id_ugc_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "day", name=op.f("pk_ugc_product_engagement_days")),
    )


def downgrade() -> None:
    op.drop_table("ugc_product_engagement_days")
    op.drop_table("ugc_content_engagement_days")
    op.drop_index("ix_ugc_content_album_popularity", table_name="ugc_content")
    with op.batch_alter_table("ugc_content") as batch:
        batch.drop_column("popularity")
