"""Storage of records: SQLAlchemy models, sessions, migrations, queries and dataloader batches."""
