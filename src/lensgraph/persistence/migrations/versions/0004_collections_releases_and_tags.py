"""collections, lightbox, portfolio, releases, photo tags

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:14:21.168346
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum("PUBLIC", "PRIVATE", name="collection_visibility", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_collections_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collections")),
        sa.UniqueConstraint("slug", name=op.f("uq_collections_slug")),
    )
    with op.batch_alter_table("collections", schema=None) as batch_op:
        batch_op.create_index("ix_collections_user_created", ["user_id", "created_at", "id"], unique=False)

    op.create_table(
        "portfolios",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("headline", sa.String(length=200), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=20), nullable=False),
        sa.Column("social_links", sa.JSON(), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_portfolios_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_portfolios")),
    )
    op.create_table(
        "releases",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind", sa.Enum("MODEL", "PROPERTY", name="release_kind", native_enum=False, length=12), nullable=False
        ),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("document_key", sa.String(length=300), nullable=False),
        sa.Column("document_mime_type", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_releases_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
    )
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.create_index("ix_releases_user_kind_created", ["user_id", "kind", "created_at", "id"], unique=False)

    op.create_table(
        "collection_photos",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_collection_photos_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_collection_photos_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("collection_id", "photo_id", name=op.f("pk_collection_photos")),
    )
    with op.batch_alter_table("collection_photos", schema=None) as batch_op:
        batch_op.create_index("ix_collection_photos_order", ["collection_id", "position", "photo_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_collection_photos_photo_id"), ["photo_id"], unique=False)

    op.create_table(
        "featured_photos",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_featured_photos_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_featured_photos_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "photo_id", name=op.f("pk_featured_photos")),
    )
    with op.batch_alter_table("featured_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_featured_photos_photo_id"), ["photo_id"], unique=False)

    op.create_table(
        "lightbox_items",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_lightbox_items_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_lightbox_items_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "photo_id", name=op.f("pk_lightbox_items")),
    )
    with op.batch_alter_table("lightbox_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lightbox_items_photo_id"), ["photo_id"], unique=False)
        batch_op.create_index("ix_lightbox_items_user_created", ["user_id", "created_at", "photo_id"], unique=False)

    op.create_table(
        "photo_tags",
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Enum("KEYWORD", "COLOR", name="tag_kind", native_enum=False, length=12), nullable=False),
        sa.Column("value", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_photo_tags_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("photo_id", "kind", "value", name=op.f("pk_photo_tags")),
    )
    with op.batch_alter_table("photo_tags", schema=None) as batch_op:
        batch_op.create_index("ix_photo_tags_kind_value", ["kind", "value", "photo_id"], unique=False)

    op.create_table(
        "release_photos",
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_release_photos_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_release_photos_release_id_releases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("release_id", "photo_id", name=op.f("pk_release_photos")),
    )
    with op.batch_alter_table("release_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_photos_photo_id"), ["photo_id"], unique=False)

    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "category",
                sa.Enum(
                    "ABSTRACT",
                    "ANIMALS",
                    "ARCHITECTURE",
                    "BUSINESS",
                    "EVENTS",
                    "FASHION",
                    "FOOD",
                    "NATURE",
                    "PEOPLE",
                    "SPORTS",
                    "TECHNOLOGY",
                    "TRAVEL",
                    "URBAN",
                    name="photo_category",
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "visibility",
                sa.Enum("PUBLIC", "PRIVATE", name="photo_visibility", native_enum=False, length=12),
                nullable=False,
                server_default="PUBLIC",
            )
        )
        batch_op.add_column(sa.Column("face_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("popularity", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_photos_status_popularity", ["status", "popularity", "id"], unique=False)

    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose",
                sa.Enum("PHOTO", "RELEASE_DOCUMENT", name="upload_purpose", native_enum=False, length=20),
                nullable=False,
                server_default="PHOTO",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_column("purpose")

    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index("ix_photos_status_popularity")
        batch_op.drop_column("popularity")
        batch_op.drop_column("face_count")
        batch_op.drop_column("visibility")
        batch_op.drop_column("category")

    with op.batch_alter_table("release_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_photos_photo_id"))

    op.drop_table("release_photos")
    with op.batch_alter_table("photo_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_photo_tags_kind_value")

    op.drop_table("photo_tags")
    with op.batch_alter_table("lightbox_items", schema=None) as batch_op:
        batch_op.drop_index("ix_lightbox_items_user_created")
        batch_op.drop_index(batch_op.f("ix_lightbox_items_photo_id"))

    op.drop_table("lightbox_items")
    with op.batch_alter_table("featured_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_featured_photos_photo_id"))

    op.drop_table("featured_photos")
    with op.batch_alter_table("collection_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_photos_photo_id"))
        batch_op.drop_index("ix_collection_photos_order")

    op.drop_table("collection_photos")
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_index("ix_releases_user_kind_created")

    op.drop_table("releases")
    op.drop_table("portfolios")
    with op.batch_alter_table("collections", schema=None) as batch_op:
        batch_op.drop_index("ix_collections_user_created")

    op.drop_table("collections")
