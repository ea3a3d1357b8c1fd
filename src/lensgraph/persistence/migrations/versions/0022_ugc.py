"""user-generated content: albums, products, content and its product tags, rights requests, content secrets

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 21:14:30.654513
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ugc_albums",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("MANUAL", "HASHTAG", "PRODUCT", name="ugc_album_kind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("hashtag", sa.String(length=100), nullable=True),
        sa.Column("product_sku", sa.String(length=64), nullable=True),
        sa.Column("upload_slug", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ugc_albums_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ugc_albums")),
        sa.UniqueConstraint("upload_slug", name=op.f("uq_ugc_albums_upload_slug")),
    )
    with op.batch_alter_table("ugc_albums", schema=None) as batch_op:
        batch_op.create_index("ix_ugc_albums_user_created", ["user_id", "created_at", "id"], unique=False)

    op.create_table(
        "ugc_content_secrets",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("rotated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ugc_content_secrets_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_ugc_content_secrets")),
    )
    op.create_table(
        "ugc_products",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("image_url", sa.String(length=2048), nullable=True),
        sa.Column("price_amount", sa.BigInteger(), nullable=True),
        sa.Column("price_currency", sa.String(length=3), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ugc_products_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ugc_products")),
        sa.UniqueConstraint("user_id", "sku", name="uq_ugc_products_user_sku"),
    )
    with op.batch_alter_table("ugc_products", schema=None) as batch_op:
        batch_op.create_index("ix_ugc_products_user_created", ["user_id", "created_at", "id"], unique=False)

    op.create_table(
        "ugc_content",
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("album_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("API", "UPLOAD_LINK", name="ugc_content_source", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("source_url", sa.String(length=2048), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=True),
        sa.Column("author_username", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PENDING", "APPROVED", "REJECTED", name="ugc_content_status", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column(
            "media_status",
            sa.Enum("FETCHING", "PROCESSING", "READY", "FAILED", name="ugc_media_status", native_enum=False),
            nullable=False,
        ),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("fetch_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("moderated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "rights_status",
            sa.Enum("NONE", "REQUESTED", "GRANTED", "DECLINED", name="ugc_rights_status", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("commercial_use", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["album_id"], ["ugc_albums.id"], name=op.f("fk_ugc_content_album_id_ugc_albums"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["users.id"], name=op.f("fk_ugc_content_brand_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_ugc_content_photo_id_photos"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ugc_content")),
    )
    with op.batch_alter_table("ugc_content", schema=None) as batch_op:
        batch_op.create_index("ix_ugc_content_album_created", ["album_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_ugc_content_brand_created", ["brand_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_ugc_content_photo", ["photo_id"], unique=False)

    op.create_table(
        "ugc_content_products",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["ugc_content.id"],
            name=op.f("fk_ugc_content_products_content_id_ugc_content"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["ugc_products.id"],
            name=op.f("fk_ugc_content_products_product_id_ugc_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "product_id", name=op.f("pk_ugc_content_products")),
    )
    with op.batch_alter_table("ugc_content_products", schema=None) as batch_op:
        batch_op.create_index("ix_ugc_content_products_product", ["product_id", "content_id"], unique=False)

    op.create_table(
        "ugc_rights_requests",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("author_username", sa.String(length=100), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("terms_sha256", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("mailed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PENDING", "GRANTED", "DECLINED", name="ugc_rights_request_status", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("answered_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["users.id"], name=op.f("fk_ugc_rights_requests_brand_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["ugc_content.id"],
            name=op.f("fk_ugc_rights_requests_content_id_ugc_content"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ugc_rights_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_ugc_rights_requests_token_hash")),
    )
    with op.batch_alter_table("ugc_rights_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ugc_rights_requests_content_created", ["content_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ugc_rights_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_ugc_rights_requests_content_created")

    op.drop_table("ugc_rights_requests")
    with op.batch_alter_table("ugc_content_products", schema=None) as batch_op:
        batch_op.drop_index("ix_ugc_content_products_product")

    op.drop_table("ugc_content_products")
    with op.batch_alter_table("ugc_content", schema=None) as batch_op:
        batch_op.drop_index("ix_ugc_content_photo")
        batch_op.drop_index("ix_ugc_content_brand_created")
        batch_op.drop_index("ix_ugc_content_album_created")

    op.drop_table("ugc_content")
    with op.batch_alter_table("ugc_products", schema=None) as batch_op:
        batch_op.drop_index("ix_ugc_products_user_created")

    op.drop_table("ugc_products")
    op.drop_table("ugc_content_secrets")
    with op.batch_alter_table("ugc_albums", schema=None) as batch_op:
        batch_op.drop_index("ix_ugc_albums_user_created")

    op.drop_table("ugc_albums")
