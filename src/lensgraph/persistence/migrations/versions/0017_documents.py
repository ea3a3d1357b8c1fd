"""documents: studio document templates and the documents sent to clients

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 18:31:59.431527
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_templates",
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("CONTRACT", "QUESTIONNAIRE", name="document_kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["studio_id"], ["users.id"], name=op.f("fk_document_templates_studio_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_templates")),
    )
    with op.batch_alter_table("document_templates", schema=None) as batch_op:
        batch_op.create_index("ix_document_templates_studio_created", ["studio_id", "created_at", "id"], unique=False)

    op.create_table(
        "studio_documents",
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("CONTRACT", "QUESTIONNAIRE", name="document_kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column(
            "status",
            sa.Enum("SENT", "VIEWED", "COMPLETED", "VOID", name="document_status", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("mailed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("viewed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("signature_name", sa.String(length=200), nullable=True),
        sa.Column("signed_ip", sa.String(length=64), nullable=True),
        sa.Column("signed_user_agent", sa.String(length=500), nullable=True),
        sa.Column("signed_text_hash", sa.String(length=64), nullable=True),
        sa.Column("file_key", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_studio_documents_booking_id_bookings"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_studio_documents_client_id_clients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["studio_id"], ["users.id"], name=op.f("fk_studio_documents_studio_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["document_templates.id"],
            name=op.f("fk_studio_documents_template_id_document_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_documents")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_studio_documents_token_digest")),
    )
    with op.batch_alter_table("studio_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_studio_documents_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index("ix_studio_documents_client_created", ["client_id", "created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_studio_documents_studio_id"), ["studio_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_studio_documents_template_id"), ["template_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("studio_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_studio_documents_template_id"))
        batch_op.drop_index(batch_op.f("ix_studio_documents_studio_id"))
        batch_op.drop_index("ix_studio_documents_client_created")
        batch_op.drop_index(batch_op.f("ix_studio_documents_booking_id"))

    op.drop_table("studio_documents")
    with op.batch_alter_table("document_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_document_templates_studio_created")

    op.drop_table("document_templates")
