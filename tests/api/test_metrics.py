"""/metrics: request and operation counters, and the backlog an operator watches, read as Prometheus reads them."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from lensgraph.app import create_app
from lensgraph.app.services import Services
from tests.api.helpers import sign_up
from tests.conftest import GraphQLClient


async def scrape(client: GraphQLClient, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def operations(figures, outcome: str) -> float:
    return figures.get(("lensgraph_graphql_operations_total", (("operation_type", "query"), ("outcome", outcome))), 0)


async def test_requests_and_operations_are_counted_by_route_and_outcome(client):
    before = await scrape(client)
    await client.post("{ __typename }")
    await client.post('{ node(id: "no-such-id") { id } }')
    await client.post("{ nope }")
    await client.http.get("/files/photos/none.jpg")
    after = await scrape(client)

    assert operations(after, "ok") - operations(before, "ok") == 1
    assert operations(after, "error") - operations(before, "error") == 2
    graphql = ("lensgraph_http_requests_total", (("method", "POST"), ("route", "/graphql"), ("status", "200")))
    assert after[graphql] - before.get(graphql, 0) == 3
    # Files are counted under their route template, not one series per file.
    routes = {dict(labels)["route"] for name, labels in after if name == "lensgraph_http_requests_total"}
    assert "/files/{key:path}" in routes and not any(route.startswith("/files/photos") for route in routes)


async def test_the_outbox_backlog_shows_until_the_relay_publishes_it(client, background):
    await sign_up(client)
    waiting = await scrape(client)
    assert waiting[("lensgraph_outbox_pending_events", ())] >= 1
    assert waiting[("lensgraph_outbox_oldest_pending_age_seconds", ())] >= 0
    await background.settle()
    settled = await scrape(client)
    assert settled[("lensgraph_outbox_pending_events", ())] == 0
    assert settled[("lensgraph_outbox_oldest_pending_age_seconds", ())] == 0
    assert settled[("lensgraph_webhook_deliveries_retrying", ())] == 0
    assert settled[("lensgraph_webhook_deliveries_failed", ())] == 0


async def test_production_shows_metrics_only_to_the_token(settings):
    sent = {"none": {}, "wrong": {"Authorization": "Bearer guess"}, "right": {"Authorization": "Bearer s3cret"}}
    for token, expected in [(None, {"none": 404}), ("s3cret", {"none": 401, "wrong": 401, "right": 200})]:
        production = settings.model_copy(
            update={"environment": "production", "metrics_token": SecretStr(token) if token else None}
        )
        services = Services(production)
        app = create_app(production, services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            statuses = {name: (await http.get("/metrics", headers=sent[name])).status_code for name in expected}
        await services.close()
        assert statuses == expected


def test_several_workers_are_added_up_in_multiprocess_mode(tmp_path):
    # prometheus_client reads PROMETHEUS_MULTIPROC_DIR when imported: each "worker" is a process of its own.
    worker = (
        "from lensgraph.adapters.metrics import GRAPHQL_OPERATIONS\nGRAPHQL_OPERATIONS.labels('query', 'ok').inc()\n"
    )
    scraper = (
        "from lensgraph.adapters.metrics import exposition\nimport sys; sys.stdout.write(exposition([]).decode())\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", worker], env=env, check=True)
    text = subprocess.run([sys.executable, "-c", scraper], env=env, check=True, capture_output=True, text=True).stdout
    assert 'lensgraph_graphql_operations_total{operation_type="query",outcome="ok"} 2.0' in text
