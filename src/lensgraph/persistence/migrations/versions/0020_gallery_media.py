"""gallery media, collections, branding, reminders

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 18:31:33.873770
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gallery_collections",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_gallery_collections_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gallery_collections")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_gallery_collections_user_id")),
    )
    with op.batch_alter_table("gallery_collections", schema=None) as batch_op:
        batch_op.create_index("ix_gallery_collections_user_name", ["user_id", "name", "id"], unique=False)

    op.create_table(
        "gallery_collection_members",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["gallery_collections.id"],
            name=op.f("fk_gallery_collection_members_collection_id_gallery_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gallery_id"],
            ["galleries.id"],
            name=op.f("fk_gallery_collection_members_gallery_id_galleries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "gallery_id", name=op.f("pk_gallery_collection_members")),
    )
    with op.batch_alter_table("gallery_collection_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gallery_collection_members_gallery_id"), ["gallery_id"], unique=False)

    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "watermark_kind",
                sa.Enum("TEXT", "LOGO", name="gallery_watermark_kind", native_enum=False, length=8),
                server_default="TEXT",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("reminder_sent_for", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("gallery_photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("watermarked_key", sa.String(length=300), nullable=True))

    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("PHOTO", "VIDEO", name="media_kind", native_enum=False, length=8),
                server_default="PHOTO",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("duration_ms", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("poster_key", sa.String(length=300), nullable=True))

    # studio_profiles has no children or triggers: rebuilding it on SQLite (for the foreign key) is safe.
    with op.batch_alter_table("studio_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo_photo_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_studio_profiles_logo_photo_id"), ["logo_photo_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_studio_profiles_logo_photo_id_photos"),
            "photos",
            ["logo_photo_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("studio_profiles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_studio_profiles_logo_photo_id_photos"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_studio_profiles_logo_photo_id"))
        batch_op.drop_column("logo_photo_id")

    # Altered in place: rebuilding photos on SQLite would drop its search triggers and cascade to its children.
    with op.batch_alter_table("photos", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("poster_key")
        batch_op.drop_column("duration_ms")
        batch_op.drop_column("kind")

    with op.batch_alter_table("gallery_photos", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("watermarked_key")

    with op.batch_alter_table("galleries", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("reminder_sent_for")
        batch_op.drop_column("watermark_kind")

    with op.batch_alter_table("gallery_collection_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gallery_collection_members_gallery_id"))

    op.drop_table("gallery_collection_members")
    with op.batch_alter_table("gallery_collections", schema=None) as batch_op:
        batch_op.drop_index("ix_gallery_collections_user_name")

    op.drop_table("gallery_collections")
