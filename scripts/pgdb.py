"""Creates and drops throw-away PostgreSQL databases for the test run: ping | create | drop NAME | pgvector.

``pgvector`` prints the server's major version and exits 0 when the server offers the ``vector`` extension."""

from __future__ import annotations

import asyncio
import sys
import uuid

import asyncpg


async def admin(host: str) -> asyncpg.Connection:
    return await asyncpg.connect(host=host, port=5432, user="postgres", database="postgres", timeout=3)


async def main(command: str, host: str, name: str | None) -> int:
    try:
        connection = await admin(host)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return 1
    try:
        if command == "pgvector":
            print(await connection.fetchval("SELECT current_setting('server_version_num')::int / 10000"))
            offered = await connection.fetchval("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            return 0 if offered else 3
        if command == "create":
            name = f"lensgraph_test_{uuid.uuid4().hex[:12]}"
            await connection.execute(f'CREATE DATABASE "{name}"')
            print(name)
        elif command == "drop" and name and name.startswith("lensgraph_test_"):
            # With the databases of the test workers (tests/conftest.py names them NAME_gw0, NAME_gw1, ...).
            workers = await connection.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", f"{name}\\_gw%")
            for database in [name, *(row["datname"] for row in workers)]:
                await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(asyncio.run(main(args[0], args[1], args[2] if len(args) > 2 else None)))
