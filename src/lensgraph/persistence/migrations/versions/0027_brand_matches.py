"""brand profiles and brand matches

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# Currency codes as the models knew them at this revision.
CURRENCIES = (
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
)


def upgrade() -> None:
    op.create_table(
        "brand_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("styles", sa.JSON(), nullable=False),
        sa.Column("colors", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("excluded_keywords", sa.JSON(), nullable=False),
        sa.Column("budget_currency", sa.Enum(*CURRENCIES, name="currency", native_enum=False, length=3), nullable=True),
        sa.Column("budget_min", sa.BigInteger(), nullable=True),
        sa.Column("budget_max", sa.BigInteger(), nullable=True),
        sa.Column("embedding", sa.JSON(), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("embedding_version", sa.String(length=100), nullable=True),
        sa.Column("embedded_text_sha256", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_brand_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_brand_profiles_user_id")),
    )
    op.create_table(
        "brand_matches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("NEW", "VIEWED", "INTERESTED", "DISMISSED", name="match_status", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["users.id"], name=op.f("fk_brand_matches_brand_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_brand_matches_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_matches")),
        sa.UniqueConstraint("brand_id", "photo_id", name="uq_brand_matches_brand_photo"),
    )
    op.create_index("ix_brand_matches_brand_score", "brand_matches", ["brand_id", "score", "id"])
    op.create_index("ix_brand_matches_brand_status_score", "brand_matches", ["brand_id", "status", "score", "id"])
    op.create_index("ix_brand_matches_photo", "brand_matches", ["photo_id"])


def downgrade() -> None:
    op.drop_index("ix_brand_matches_photo", table_name="brand_matches")
    op.drop_index("ix_brand_matches_brand_status_score", table_name="brand_matches")
    op.drop_index("ix_brand_matches_brand_score", table_name="brand_matches")
    op.drop_table("brand_matches")
    op.drop_table("brand_profiles")
