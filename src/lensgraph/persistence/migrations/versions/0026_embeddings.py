"""photo embeddings: one sentence vector per photo (model and version beside it), for semantic search

PostgreSQL with pgvector available: ``vector(384)`` and an HNSW index (cosine). PostgreSQL without it (or with
LENSGRAPH_PGVECTOR=false): a ``real[]`` column, searched by an exact scan. SQLite: a float32 BLOB, the format
sqlite-vec reads.

Revision ID: 0026
Revises: 0028
Create Date: 2026-12-05 00:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lensgraph.config import Settings

revision = "0026"
down_revision = "0028"
branch_labels = None
depends_on = None

DIMENSIONS = 384


def _use_pgvector() -> bool:
    if not Settings().pgvector:
        return False
    offered = op.get_bind().execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first()
    return offered is not None


def upgrade() -> None:
    op.create_table(
        "photo_embeddings",
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("embedded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_photo_embeddings_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("photo_id", name=op.f("pk_photo_embeddings")),
    )
    op.create_index("ix_photo_embeddings_model", "photo_embeddings", ["model", "model_version", "photo_id"])
    if op.get_bind().dialect.name != "postgresql":
        op.execute("ALTER TABLE photo_embeddings ADD COLUMN vector BLOB NOT NULL")
    elif _use_pgvector():
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
        op.execute(f"ALTER TABLE photo_embeddings ADD COLUMN vector vector({DIMENSIONS}) NOT NULL")
        op.execute("CREATE INDEX ix_photo_embeddings_vector ON photo_embeddings USING hnsw (vector vector_cosine_ops)")
    else:
        op.execute("ALTER TABLE photo_embeddings ADD COLUMN vector real[] NOT NULL")


def downgrade() -> None:
    op.drop_table("photo_embeddings")
