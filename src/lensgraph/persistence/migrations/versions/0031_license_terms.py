"""license terms as buyers write them: custom terms and buyer references on licenses, a brand's company name, and
the indexes of the lists' sorts

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("licenses") as batch:
        batch.add_column(sa.Column("custom_terms", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("reference_purchase_order", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("reference_project", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("reference_client", sa.String(length=200), nullable=True))
    op.create_index("ix_licenses_brand_price", "licenses", ["brand_id", "price_amount", "id"])
    op.create_index("ix_licenses_photographer_price", "licenses", ["photographer_id", "price_amount", "id"])
    op.create_index("ix_photos_user_title", "photos", ["user_id", "title", "id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("company_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("company_name")
    op.drop_index("ix_photos_user_title", table_name="photos")
    op.drop_index("ix_licenses_photographer_price", table_name="licenses")
    op.drop_index("ix_licenses_brand_price", table_name="licenses")
    with op.batch_alter_table("licenses") as batch:
        batch.drop_column("reference_client")
        batch.drop_column("reference_project")
        batch.drop_column("reference_purchase_order")
        batch.drop_column("custom_terms")
