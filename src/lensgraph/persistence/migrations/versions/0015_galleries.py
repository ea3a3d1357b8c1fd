"""galleries: client galleries, their sets and photos, visit days

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 16:56:30.434222
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "galleries",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("cover_photo_id", sa.Uuid(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("client_email", sa.String(length=254), nullable=True),
        sa.Column("client_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("access_version", sa.Integer(), nullable=False),
        sa.Column("expires_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expired_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "download_policy",
            sa.Enum("NONE", "WEB_SIZE", "FULL_SIZE", name="gallery_download_policy", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("watermark", sa.Boolean(), nullable=False),
        sa.Column("watermark_text", sa.String(length=80), nullable=False),
        sa.Column("accent_color", sa.String(length=7), nullable=True),
        sa.Column(
            "status", sa.Enum("ACTIVE", "ARCHIVED", name="gallery_status", native_enum=False, length=10), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cover_photo_id"], ["photos.id"], name=op.f("fk_galleries_cover_photo_id_photos"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_galleries_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_galleries")),
        sa.UniqueConstraint("slug", name=op.f("uq_galleries_slug")),
    )
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_galleries_cover_photo_id"), ["cover_photo_id"], unique=False)
        batch_op.create_index("ix_galleries_expiry", ["expires_at", "expired_at"], unique=False)
        batch_op.create_index("ix_galleries_user_created", ["user_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_galleries_user_title", ["user_id", "title", "id"], unique=False)

    op.create_table(
        "gallery_sets",
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gallery_id"], ["galleries.id"], name=op.f("fk_gallery_sets_gallery_id_galleries"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gallery_sets")),
        sa.UniqueConstraint("gallery_id", "name", name=op.f("uq_gallery_sets_gallery_id")),
    )
    with op.batch_alter_table("gallery_sets", schema=None) as batch_op:
        batch_op.create_index("ix_gallery_sets_order", ["gallery_id", "position", "id"], unique=False)

    op.create_table(
        "gallery_view_days",
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("visitor", sa.String(length=254), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["gallery_id"], ["galleries.id"], name=op.f("fk_gallery_view_days_gallery_id_galleries"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("gallery_id", "visitor", "day", name=op.f("pk_gallery_view_days")),
    )
    op.create_table(
        "gallery_photos",
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gallery_id"], ["galleries.id"], name=op.f("fk_gallery_photos_gallery_id_galleries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_gallery_photos_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_id"], ["gallery_sets.id"], name=op.f("fk_gallery_photos_set_id_gallery_sets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("gallery_id", "photo_id", name=op.f("pk_gallery_photos")),
    )
    with op.batch_alter_table("gallery_photos", schema=None) as batch_op:
        batch_op.create_index("ix_gallery_photos_order", ["gallery_id", "position", "photo_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_photos_photo_id"), ["photo_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_photos_set_id"), ["set_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gallery_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gallery_photos_set_id"))
        batch_op.drop_index(batch_op.f("ix_gallery_photos_photo_id"))
        batch_op.drop_index("ix_gallery_photos_order")

    op.drop_table("gallery_photos")
    op.drop_table("gallery_view_days")
    with op.batch_alter_table("gallery_sets", schema=None) as batch_op:
        batch_op.drop_index("ix_gallery_sets_order")

    op.drop_table("gallery_sets")
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.drop_index("ix_galleries_user_title")
        batch_op.drop_index("ix_galleries_user_created")
        batch_op.drop_index("ix_galleries_expiry")
        batch_op.drop_index(batch_op.f("ix_galleries_cover_photo_id"))

    op.drop_table("galleries")
