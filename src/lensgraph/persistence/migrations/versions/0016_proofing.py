"""proofing: selection limits on galleries, clients' selections, favourites and comments

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("selection_min", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("selection_max", sa.Integer(), nullable=True))

    op.create_table(
        "gallery_selections",
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("client_email", sa.String(length=254), nullable=False),
        sa.Column("list_name", sa.String(length=50), nullable=False),
        sa.Column(
            "status",
            sa.Enum("OPEN", "SUBMITTED", name="gallery_selection_status", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("submitted_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gallery_id"],
            ["galleries.id"],
            name=op.f("fk_gallery_selections_gallery_id_galleries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gallery_selections")),
        sa.UniqueConstraint("gallery_id", "client_email", "list_name", name=op.f("uq_gallery_selections_gallery_id")),
    )
    with op.batch_alter_table("gallery_selections", schema=None) as batch_op:
        batch_op.create_index("ix_gallery_selections_submitted", ["gallery_id", "submitted_at"], unique=False)

    op.create_table(
        "gallery_favorites",
        sa.Column("selection_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gallery_id"], ["galleries.id"], name=op.f("fk_gallery_favorites_gallery_id_galleries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_gallery_favorites_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["selection_id"],
            ["gallery_selections.id"],
            name=op.f("fk_gallery_favorites_selection_id_gallery_selections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("selection_id", "photo_id", name=op.f("pk_gallery_favorites")),
    )
    with op.batch_alter_table("gallery_favorites", schema=None) as batch_op:
        batch_op.create_index("ix_gallery_favorites_gallery_created", ["gallery_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_favorites_photo_id"), ["photo_id"], unique=False)

    op.create_table(
        "gallery_comments",
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("client_email", sa.String(length=254), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gallery_id"], ["galleries.id"], name=op.f("fk_gallery_comments_gallery_id_galleries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_gallery_comments_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gallery_comments")),
    )
    with op.batch_alter_table("gallery_comments", schema=None) as batch_op:
        batch_op.create_index("ix_gallery_comments_client", ["gallery_id", "client_email", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_gallery_comments_photo_id"), ["photo_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gallery_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gallery_comments_photo_id"))
        batch_op.drop_index("ix_gallery_comments_client")

    op.drop_table("gallery_comments")
    with op.batch_alter_table("gallery_favorites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gallery_favorites_photo_id"))
        batch_op.drop_index("ix_gallery_favorites_gallery_created")

    op.drop_table("gallery_favorites")
    with op.batch_alter_table("gallery_selections", schema=None) as batch_op:
        batch_op.drop_index("ix_gallery_selections_submitted")

    op.drop_table("gallery_selections")
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.drop_column("selection_max")
        batch_op.drop_column("selection_min")
