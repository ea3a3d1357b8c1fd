"""photo full-text search: FTS5 on SQLite, a weighted tsvector on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 10:02:41.503118

Search covers title, keywords and description, stemmed (English), title weighing most and description
least. SQLAlchemy has no model for these objects; ``lensgraph.persistence.discovery.include_in_autogenerate``
hides exactly them from autogenerate and from the drift test.

SQLite: ``photo_search`` is an external-content FTS5 table over ``photos`` (no second copy of the text), keyed by
the photos' rowid and kept in step by three triggers. A later migration that makes batch mode *rebuild* ``photos``
(drop or retype a column) drops these triggers and may renumber rowids: it must create the triggers again and run
``INSERT INTO photo_search(photo_search) VALUES ('rebuild')``. The same command repairs the index after a VACUUM.

PostgreSQL: ``photos.search_vector`` is a stored generated column, so every write keeps it current (and
TRUNCATE needs nothing extra), with a GIN index for ``@@``.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# keywords is a JSON array; both tokenizers read its text as words ('["golden hour"]' -> golden, hour).
SQLITE_UPGRADE = [
    """CREATE VIRTUAL TABLE photo_search USING fts5(
        title, keywords, description, content='photos', tokenize='porter unicode61')""",
    """CREATE TRIGGER photo_search_insert AFTER INSERT ON photos BEGIN
        INSERT INTO photo_search(rowid, title, keywords, description)
        VALUES (new.rowid, new.title, new.keywords, new.description);
    END""",
    # External content: FTS5 needs the old values to remove the old words.
    """CREATE TRIGGER photo_search_delete AFTER DELETE ON photos BEGIN
        INSERT INTO photo_search(photo_search, rowid, title, keywords, description)
        VALUES ('delete', old.rowid, old.title, old.keywords, old.description);
    END""",
    """CREATE TRIGGER photo_search_update AFTER UPDATE OF title, keywords, description ON photos BEGIN
        INSERT INTO photo_search(photo_search, rowid, title, keywords, description)
        VALUES ('delete', old.rowid, old.title, old.keywords, old.description);
        INSERT INTO photo_search(rowid, title, keywords, description)
        VALUES (new.rowid, new.title, new.keywords, new.description);
    END""",
    # Indexes the photos that exist already.
    "INSERT INTO photo_search(photo_search) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER photo_search_update",
    "DROP TRIGGER photo_search_delete",
    "DROP TRIGGER photo_search_insert",
    "DROP TABLE photo_search",
]
# The two-argument to_tsvector is immutable, as a generated column requires; to_tsvector(json) reads only
# the array's strings. ts_rank's default weights make A (title) 1.0, B (keywords) 0.4, C (description) 0.2.
POSTGRESQL_UPGRADE = [
    """ALTER TABLE photos ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, keywords), 'B')
        || setweight(to_tsvector('english'::regconfig, description), 'C')
    ) STORED""",
    "CREATE INDEX ix_photos_search_vector ON photos USING gin (search_vector)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX ix_photos_search_vector",
    "ALTER TABLE photos DROP COLUMN search_vector",
]


def _run(statements: dict[str, list[str]]) -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in statements:
        raise NotImplementedError(f"Photo search supports SQLite and PostgreSQL, not {dialect}.")
    for statement in statements[dialect]:
        op.execute(statement)


def upgrade() -> None:
    _run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
