"""schema.graphql is the contract partners read: it must match the code."""

from __future__ import annotations

from pathlib import Path

from lensgraph.schema.schema import sdl

SCHEMA_FILE = Path(__file__).parents[2] / "schema.graphql"


def test_schema_graphql_has_not_drifted():
    assert SCHEMA_FILE.read_text() == sdl(), "schema.graphql is stale: run `lensgraph export-schema`"
