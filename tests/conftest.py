"""Fixtures shared by every suite: settings on a fresh database, the ASGI app, a GraphQL client."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.config import Settings
from lensgraph.persistence.base import Base
from lensgraph.persistence.migrate import upgrade


def _database_of_this_worker(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets a database of its own: tests empty every table before they start."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    return f"{url}_{worker}"


POSTGRES_URL = _database_of_this_worker(os.environ.get("LENSGRAPH_TEST_DATABASE_URL"))
if POSTGRES_URL:
    # Suites that start servers in subprocesses read the variable: they must see this worker's database too.
    os.environ["LENSGRAPH_TEST_DATABASE_URL"] = POSTGRES_URL


def _create_database_if_missing(url: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    parts = make_url(url)

    async def create() -> None:
        connection = await asyncpg.connect(
            host=parts.host, port=parts.port or 5432, user=parts.username, password=parts.password, database="postgres"
        )
        try:
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parts.database):
                await connection.execute(f'CREATE DATABASE "{parts.database}"')
        finally:
            await connection.close()

    asyncio.run(create())


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrates once per run: a template SQLite file to copy, or the PostgreSQL test database."""
    if POSTGRES_URL:
        _create_database_if_missing(POSTGRES_URL)
        upgrade(POSTGRES_URL)
        return POSTGRES_URL
    template = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{template}")
    return str(template)


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    if POSTGRES_URL:
        yield POSTGRES_URL
        return
    copy = tmp_path / "lensgraph.db"
    shutil.copyfile(migrated_template, copy)
    yield f"sqlite+aiosqlite:///{copy}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-not-for-production",
        public_url="http://testserver",
        # What a node remembers of an account outlives any test: statement counts never see a re-read.
        account_cache_seconds=60,
        # The embedding model (the ai extra) costs seconds to load and to run: only the tests of semantic search
        # (tests/api/test_embeddings.py, tests/api/test_search_quality.py) turn it on.
        embeddings="off",
    )


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    services = Services(settings)
    if POSTGRES_URL:
        await _truncate_all(services)
    yield services
    await services.close()


async def _truncate_all(services: Services) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with services.db.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} CASCADE"))


@dataclass
class StatementCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql(services: Services) -> Iterator[StatementCounter]:
    """Counts the SQL statements the app sends, for the N+1 checks."""
    counter = StatementCounter()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counter.statements.append(statement)

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    yield counter
    event.remove(engine, "before_cursor_execute", record)


class GraphQLClient:
    """Talks to the app as a single-page app would: JSON POSTs to /graphql."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )

    async def execute(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        response = await self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        """The ``data`` of a response that must have no errors."""
        body = await self.execute(query, variables, **kwargs)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result


@pytest.fixture
async def client(services: Services) -> AsyncIterator[GraphQLClient]:
    app = create_app(services.settings, services=services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)
