"""search covers inferred keywords (weighted least); indexes for the enterprise search filters and sorts

Revision ID: 0028
Revises: 0031
Create Date: 2026-12-05 00:40:00.000000

The search index of 0005 gains a fourth column, ``auto_keywords`` (what the analysis inferred: orientation,
colours, "people"), weighted below the photographer's own title, keywords and description: an inferred word
finds a photo, and a photo whose own words say it ranks first.

SQLite: the FTS5 table and its triggers are made again with the column, and the index rebuilt from ``photos``.
PostgreSQL: the generated ``search_vector`` is made again with ``auto_keywords`` at weight D.

Also the columns and indexes of the enterprise search: the photo's licensing offer (usages, price, exclusivity)
and indexes for the people, price and date filters.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0031"
branch_labels = None
depends_on = None


def _fts5(columns: list[str]) -> list[str]:
    listed = ", ".join(columns)
    new = ", ".join(f"new.{name}" for name in columns)
    old = ", ".join(f"old.{name}" for name in columns)
    return [
        f"CREATE VIRTUAL TABLE photo_search USING fts5({listed}, content='photos', tokenize='porter unicode61')",
        f"""CREATE TRIGGER photo_search_insert AFTER INSERT ON photos BEGIN
            INSERT INTO photo_search(rowid, {listed}) VALUES (new.rowid, {new});
        END""",
        f"""CREATE TRIGGER photo_search_delete AFTER DELETE ON photos BEGIN
            INSERT INTO photo_search(photo_search, rowid, {listed}) VALUES ('delete', old.rowid, {old});
        END""",
        f"""CREATE TRIGGER photo_search_update AFTER UPDATE OF {listed} ON photos BEGIN
            INSERT INTO photo_search(photo_search, rowid, {listed}) VALUES ('delete', old.rowid, {old});
            INSERT INTO photo_search(rowid, {listed}) VALUES (new.rowid, {new});
        END""",
        "INSERT INTO photo_search(photo_search) VALUES ('rebuild')",
    ]


SQLITE_DROP = [
    "DROP TRIGGER photo_search_update",
    "DROP TRIGGER photo_search_delete",
    "DROP TRIGGER photo_search_insert",
    "DROP TABLE photo_search",
]
OWN_TEXT = ["title", "keywords", "description"]


def _vector(with_auto_keywords: bool) -> list[str]:
    auto = " || setweight(to_tsvector('english'::regconfig, auto_keywords), 'D')" if with_auto_keywords else ""
    return [
        "DROP INDEX ix_photos_search_vector",
        "ALTER TABLE photos DROP COLUMN search_vector",
        f"""ALTER TABLE photos ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, title), 'A')
            || setweight(to_tsvector('english'::regconfig, keywords), 'B')
            || setweight(to_tsvector('english'::regconfig, description), 'C'){auto}
        ) STORED""",
        "CREATE INDEX ix_photos_search_vector ON photos USING gin (search_vector)",
    ]


def _search_index(with_auto_keywords: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = SQLITE_DROP + _fts5(OWN_TEXT + (["auto_keywords"] if with_auto_keywords else []))
    elif dialect == "postgresql":
        statements = _vector(with_auto_keywords)
    else:
        raise NotImplementedError(f"Photo search supports SQLite and PostgreSQL, not {dialect}.")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN on both dialects: a batch rebuild of photos would drop the search triggers.
    op.add_column("photos", sa.Column("license_usages", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("photos", sa.Column("license_price", sa.BigInteger(), nullable=True))
    op.add_column("photos", sa.Column("license_currency", sa.String(length=3), nullable=True))
    op.add_column("photos", sa.Column("exclusive_available", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_photos_status_face_count", "photos", ["status", "face_count"])
    op.create_index("ix_photos_status_captured", "photos", ["status", "captured_at", "id"])
    op.create_index("ix_photos_status_currency_price", "photos", ["status", "license_currency", "license_price", "id"])
    _search_index(with_auto_keywords=True)


def downgrade() -> None:
    _search_index(with_auto_keywords=False)
    op.drop_index("ix_photos_status_currency_price", table_name="photos")
    op.drop_index("ix_photos_status_captured", table_name="photos")
    op.drop_index("ix_photos_status_face_count", table_name="photos")
    for name in ("exclusive_available", "license_currency", "license_price", "license_usages"):
        op.drop_column("photos", name)
