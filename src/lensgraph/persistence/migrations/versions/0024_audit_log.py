"""audit log: audit_entries, append-only (triggers refuse UPDATE and DELETE)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 22:25:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lensgraph.persistence.base

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_entries is append-only"


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", lensgraph.persistence.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "LOGIN",
                "LOGIN_FAILED",
                "PASSWORD_CHANGED",
                "PASSWORD_RESET_REQUESTED",
                "PASSWORD_RESET",
                "API_KEY_CREATED",
                "API_KEY_REVOKED",
                "WEBHOOK_SECRET_ROTATED",
                "CONTENT_SECRET_ROTATED",
                "DATA_EXPORT_REQUESTED",
                "DATA_EXPORT_DOWNLOADED",
                "ACCOUNT_DELETION_REQUESTED",
                "ACCOUNT_DELETED",
                "ROLE_CHANGED",
                "USER_DISABLED",
                "USER_ENABLED",
                name="audit_action",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_created", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_subject_created", ["subject_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_actor_created", ["actor_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_action_created", ["action", "created_at", "id"], unique=False)

    # Defence in depth beside the code (which has no update or delete path): the database itself refuses to
    # change or remove an entry. TRUNCATE and DROP stay with the table's owner, an operator's act, not the app's.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
            "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} ON audit_entries "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_refuse_change()")
    else:
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute("DROP TRIGGER audit_entries_no_delete")
    op.drop_table("audit_entries")
