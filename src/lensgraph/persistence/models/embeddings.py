"""Sentence embeddings of photos' text, for semantic search and similar photos.

The vector itself is a column the migration makes per database (pgvector's ``vector(384)``, a ``real[]`` where
PostgreSQL lacks pgvector, a float32 BLOB on SQLite): no model describes it, and ``persistence/embeddings.py``
reads and writes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.persistence.base import Base


class PhotoEmbedding(Base):
    """One vector per photo: the model and version that made it, and a hash of the text it was made from (an
    unchanged text under the same model is not embedded again)."""

    __tablename__ = "photo_embeddings"
    __table_args__ = (Index("ix_photo_embeddings_model", "model", "model_version", "photo_id"),)

    photo_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(100))
    text_sha256: Mapped[str] = mapped_column(String(64))
    embedded_at: Mapped[datetime]
