"""Keeps bench/ runnable: a tiny dataset, each workload once, answers checked; nothing is timed (DESIGN 7).

Like the rest of the API suite, this runs on a copy of the migrated SQLite template, or on the PostgreSQL
database in ``LENSGRAPH_TEST_DATABASE_URL`` (emptied first: the generator writes only into an empty one).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from uuid import uuid4

import orjson
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bench.__main__ import cli
from bench.dataset import Sizes, generate
from bench.harness import running_app
from bench.workloads import WORKLOADS, check_same_answers, nested
from lensgraph.persistence.base import Base
from lensgraph.persistence.db import create_engine
from tests.conftest import POSTGRES_URL

TINY = Sizes(photographers=3, photos=30, collections=5, photos_per_collection=5, brands=1, deep_photos=150)
TINY_OPTIONS = [
    *("--photographers", "3", "--photos", "30", "--deep-photos", "150"),
    *("--collections", "5", "--photos-per-collection", "5"),
]

FreshDatabase = Callable[[], Coroutine[Any, Any, str]]


@pytest.fixture
def fresh_database(migrated_template: str, tmp_path: Path) -> FreshDatabase:
    """A migrated, empty database for each call: a new SQLite copy, or the PostgreSQL one truncated."""

    async def fresh() -> str:
        if POSTGRES_URL:
            engine = create_engine(POSTGRES_URL)
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
            await engine.dispose()
            return POSTGRES_URL
        copy = tmp_path / f"bench-{uuid4().hex}.db"
        shutil.copyfile(migrated_template, copy)
        return f"sqlite+aiosqlite:///{copy}"

    return fresh


def test_the_command_line_generates_a_dataset_and_prints_a_row_per_workload(fresh_database: FreshDatabase) -> None:
    database_url = asyncio.run(fresh_database())
    runner = CliRunner()

    generated = runner.invoke(cli, ["generate", "--database-url", database_url, *TINY_OPTIONS])
    assert generated.exit_code == 0, generated.output
    assert "180 photos" in generated.output
    assert "5 collections" in generated.output

    again = runner.invoke(cli, ["generate", "--database-url", database_url, *TINY_OPTIONS])
    assert again.exit_code == 1
    assert "already has accounts" in again.output

    ran = runner.invoke(cli, ["run", "--database-url", database_url, "--iterations", "1", "--warmup", "0"])
    assert ran.exit_code == 0, ran.output
    table = ran.output.splitlines()
    header = next(index for index, line in enumerate(table) if line.startswith("workload"))
    rows = [line.split()[0] for line in table[header + 2 : header + 2 + len(WORKLOADS)]]
    assert rows == list(WORKLOADS)

    as_json = runner.invoke(
        cli, ["run", "--database-url", database_url, "-w", "deep-list", "--iterations", "1", "--json"]
    )
    assert as_json.exit_code == 0, as_json.output
    report = orjson.loads(as_json.stdout)  # the JSON alone: warnings logged meanwhile go to stderr
    assert [result["workload"] for result in report["results"]] == ["deep-list"]
    assert report["requests_per_iteration"] == {"deep-list": 2}
    assert report["results"][0]["baseline"]["statements_max"] == 1


async def test_every_workload_answers_without_errors_and_as_its_baseline_does(fresh_database: FreshDatabase) -> None:
    database_url = await fresh_database()
    await generate(database_url, TINY, seed=3)
    async with running_app(database_url) as app:
        answers = {}
        for name, prepare in WORKLOADS.items():
            workload = await prepare(app)
            exchanges = await workload.through_api()
            assert exchanges
            assert all(set(body) == {"data"} for body, _ in exchanges)
            check_same_answers(name, exchanges, await workload.baseline(), app.files_url)
            answers[name] = [body["data"] for body, _ in exchanges]

    [browse] = answers["browse"]
    assert len(browse["photos"]["edges"]) == 50
    [nested_page] = answers["nested"]
    collections = nested_page["viewer"]["collections"]["edges"]
    assert len(collections) == TINY.collections
    assert all(len(edge["node"]["photos"]["edges"]) == TINY.photos_per_collection for edge in collections)
    pages = answers["deep-list"]
    assert [len(page["viewer"]["photos"]["edges"]) for page in pages] == [100, 50]


async def test_nested_sends_as_many_statements_for_10_collections_as_for_5(fresh_database: FreshDatabase) -> None:
    statements = []
    for grown in (1, 2):
        sizes = Sizes(
            photographers=3, photos=60, collections=5 * grown, photos_per_collection=5 * grown, deep_photos=10
        )
        database_url = await fresh_database()
        await generate(database_url, sizes, seed=11)
        async with running_app(database_url) as app:
            workload = await nested(app)
            [(body, sample)] = await workload.through_api()
        collections = body["data"]["viewer"]["collections"]["edges"]
        assert len(collections) == sizes.collections
        assert {len(edge["node"]["photos"]["edges"]) for edge in collections} == {sizes.photos_per_collection}
        statements.append(sample.statements)
    assert statements[0] == statements[1]


def test_gallery_zip_streams_every_photo_through_a_real_server() -> None:
    """``python -m bench gallery-zip`` on a handful of photos: the zip held them all (the workload checks the
    member count and their total size against what it stored) and every figure was measured, not judged."""
    runner = CliRunner()
    ran = runner.invoke(
        cli, ["gallery-zip", "--photos", "6", "--query-clients", "1", "--idle-seconds", "0.5", "--json"]
    )
    assert ran.exit_code == 0, ran.output
    figures = orjson.loads(ran.stdout)
    assert figures["photos"] == 6 and figures["zip_bytes"] > 0 and figures["queries_idle"] > 0
    assert figures["rss_lifetime_peak_mb"] >= figures["rss_before_mb"] > 0
