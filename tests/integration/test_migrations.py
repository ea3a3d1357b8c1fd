"""The migrations build exactly the schema the models describe, and walk down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from lensgraph.persistence import models  # noqa: F401
from lensgraph.persistence.base import Base
from lensgraph.persistence.discovery import include_in_autogenerate
from lensgraph.persistence.migrate import alembic_config, upgrade


def test_migrations_match_the_models_and_downgrade(tmp_path):
    from alembic import command

    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.connect() as connection:
        # The search index (migration 0005) is the one thing no model describes.
        context = MigrationContext.configure(connection, opts={"include_name": include_in_autogenerate})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    engine.dispose()
