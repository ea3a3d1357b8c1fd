"""gallery downloads: the download PIN of a gallery, and the record of clients' downloads

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 18:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("download_pin_hash", sa.String(length=200), nullable=True))

    op.create_table(
        "gallery_downloads",
        sa.Column("gallery_id", sa.Uuid(), nullable=False),
        sa.Column("client_email", sa.String(length=254), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("PHOTOS", "SET", "GALLERY", name="gallery_download_kind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("set_id", sa.Uuid(), nullable=True),
        sa.Column(
            "size",
            sa.Enum("NONE", "WEB_SIZE", "FULL_SIZE", name="gallery_download_size", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("photo_ids", sa.JSON(), nullable=False),
        sa.Column("photo_count", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("completed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gallery_id"], ["galleries.id"], name=op.f("fk_gallery_downloads_gallery_id_galleries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_id"], ["gallery_sets.id"], name=op.f("fk_gallery_downloads_set_id_gallery_sets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gallery_downloads")),
    )
    with op.batch_alter_table("gallery_downloads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gallery_downloads_gallery_completed", ["gallery_id", "completed_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gallery_downloads", schema=None) as batch_op:
        batch_op.drop_index("ix_gallery_downloads_gallery_completed")
    op.drop_table("gallery_downloads")
    with op.batch_alter_table("galleries", schema=None) as batch_op:
        batch_op.drop_column("download_pin_hash")
