"""Studio documents: templates (contracts and questionnaires) and the documents sent from them to clients."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.documents import DocumentKind, DocumentStatus
from lensgraph.persistence.base import Entity


class DocumentTemplate(Entity):
    __tablename__ = "document_templates"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(Enum(DocumentKind, name="document_kind", native_enum=False, length=16))
    name: Mapped[str] = mapped_column(String(200))
    # With merge fields ({{client.name}}); a contract's text, a questionnaire's intro (may be empty).
    body: Mapped[str] = mapped_column(Text, default="")
    # Questionnaires: [{id, text, kind, choices, required}], ids q1, q2... in order; contracts: [].
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_document_templates_studio_created", "studio_id", "created_at", "id"),)


class StudioDocument(Entity):
    """A template rendered for one client, frozen when sent; completed once, by the client, through its link."""

    __tablename__ = "studio_documents"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # Kept for reference only: the document holds its own text, so the template may change or go.
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document_templates.id", ondelete="SET NULL"), index=True
    )
    booking_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(Enum(DocumentKind, name="document_kind", native_enum=False, length=16))
    title: Mapped[str] = mapped_column(String(200))
    # The rendered text and questions, as the client sees them.
    body: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Where the link goes: the client's first address when sent.
    recipient: Mapped[str] = mapped_column(String(254))
    status: Mapped[DocumentStatus] = mapped_column(
        Enum(DocumentStatus, name="document_status", native_enum=False, length=12), default=DocumentStatus.SENT
    )
    # SHA-256 of the link's secret, set by the job that mails it (the secret is never stored, nor in the outbox).
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    mailed_at: Mapped[datetime | None] = mapped_column(default=None)
    viewed_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    voided_at: Mapped[datetime | None] = mapped_column(default=None)
    # Questionnaires: answers by question id.
    answers: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    # Contracts: the signature, where it came from, and the SHA-256 of the exact text signed.
    signature_name: Mapped[str | None] = mapped_column(String(200), default=None)
    signed_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    signed_user_agent: Mapped[str | None] = mapped_column(String(500), default=None)
    signed_text_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    # The completed document as a PDF in storage.
    file_key: Mapped[str | None] = mapped_column(String(300), default=None)

    __table_args__ = (Index("ix_studio_documents_client_created", "client_id", "created_at", "id"),)
