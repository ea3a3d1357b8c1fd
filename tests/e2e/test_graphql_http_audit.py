"""The GraphQL-over-HTTP audit suite (the npm package graphql-http, pinned in graphql_http_audit/) against a
real server: every one of its audits is ok, warnings included."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Server

AUDIT = Path(__file__).parent / "graphql_http_audit"
AUDITS_IN_THE_PINNED_VERSION = 61
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def test_every_graphql_over_http_audit_is_ok(server: Server):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the graphql-http audit runs on Node.js")
    assert (AUDIT / "node_modules" / "graphql-http").is_dir(), (
        f"the audit's packages are not installed: run `npm ci` in {AUDIT} (scripts/test does)"
    )
    ran = subprocess.run(
        [node, "audit.mjs", f"{server.base_url}/graphql"],
        cwd=AUDIT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    results = [json.loads(line) for line in ran.stdout.splitlines()]
    failing = [
        f"{result['status']}: {result['name']} ({result['reason']})" for result in results if result["status"] != "ok"
    ]
    assert not failing, "\n".join(failing)
    assert len(results) == AUDITS_IN_THE_PINNED_VERSION


@pytest.mark.parametrize(
    "document",
    ["{ __typename", "{ noSuchField }"],
    ids=["parse failure", "validation failure"],
)
def test_a_document_that_never_ran_has_no_data_entry(server: Server, document: str):
    answer = httpx.post(
        f"{server.base_url}/graphql", json={"query": document}, headers={"accept": GRAPHQL_RESPONSE_JSON}
    )
    body = answer.json()
    assert answer.status_code == 400 and answer.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
