"""Every operation is priced before it runs (README "Query cost"), refused above the per-operation maximum,
charged to its caller's bucket of points, and told what it cost in ``extensions.cost``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from lensgraph.adapters.ratelimit import MemoryCostBuckets
from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.config import Settings
from tests.api.factories import ready_photos
from tests.api.helpers import REGISTER, registration, sign_up
from tests.conftest import GraphQLClient


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def metered(settings: Settings, **updates: Any) -> AsyncIterator[tuple[GraphQLClient, Services, Clock]]:
    """A client of the app with these settings, its services, and the clock its cost buckets read."""
    changed = settings.model_copy(update=updates)
    services = Services(changed)
    clock = Clock()
    assert isinstance(services.cost_buckets, MemoryCostBuckets)
    services.cost_buckets.clock = clock
    transport = httpx.ASGITransport(app=create_app(changed, services=services))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http), services, clock
    finally:
        await services.close()


def cost_of(body: dict[str, Any]) -> dict[str, Any]:
    cost: dict[str, Any] = body["extensions"]["cost"]
    return cost


# The documented examples: objects 1, scalars and enums 0, a connection 1 plus its page size times one node,
# the default page size 20, mutations 10, introspection like any other field.
PRICED = [
    ("{ __typename }", {}, 0),
    ("{ viewer { user { username } } }", {}, 2),
    ("{ photos(first: 50) { edges { node { id title photographer { username } } } } }", {}, 101),
    ("{ photos { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }", {}, 21),
    ("{ photos(last: 5) { edges { node { id } } } }", {}, 6),
    ("query Page($n: Int) { photos(first: $n) { edges { node { id } } } }", {"n": 7}, 8),
    ("query Page($n: Int = 3) { photos(first: $n) { edges { node { id } } } }", {}, 4),
    ("query Page($n: Int) { photos(first: $n) { edges { node { id } } } }", {}, 21),
    (
        "{ viewer { collections(first: 20) { edges { node { title"
        " photos(first: 20) { edges { node { id title photographer { username } } } } } } } } }",
        {},
        842,
    ),
    ("{ viewer { verifications(first: 30) { edges { node { id owner { username } } } } } }", {}, 62),
    # An interface: the costliest of its types' selections, per ID asked for.
    (
        'query { nodes(ids: ["a", "b", "c"]) { id ... on Photo { photographer { username } } } }',
        {},
        6,
    ),
    ("query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["a", "b"]}, 2),
    # Past the largest page (100) a connection refuses to run, with its own error: priced as the largest page.
    ("query Page($n: Int) { photos(first: $n) { edges { node { id } } } }", {"n": 1000}, 101),
    ("{ __schema { queryType { name } types { name fields { name } } } }", {}, 4),
    ('mutation { login(input: {email: "a@example.com", password: "x"}) { accessToken userErrors { code } } }', {}, 11),
]


@pytest.mark.parametrize(("document", "variables", "requested"), PRICED)
async def test_operations_cost_what_the_rules_say(client, document, variables, requested):
    response = await client.post(document, variables)
    assert response.status_code == 200, response.text
    cost = cost_of(response.json())
    assert cost["requestedQueryCost"] == requested
    assert 0 <= cost["actualQueryCost"] <= requested


async def test_the_cost_report_has_shopifys_shape(settings):
    async with metered(settings) as (client, _, _):
        body = (await client.post("{ photos(first: 10) { edges { node { id } } } }")).json()
    assert body["extensions"] == {
        "cost": {
            "requestedQueryCost": 11,
            "actualQueryCost": 1,  # the connection itself: no photo was returned
            "throttleStatus": {"maximumAvailable": 1000, "currentlyAvailable": 999, "restoreRate": 50.0},
        }
    }


async def test_the_actual_cost_counts_the_nodes_returned_and_the_rest_is_given_back(client, services):
    owner = await sign_up(client)
    await ready_photos(services, owner, 3)
    body = await client.execute("{ photos(first: 50) { edges { node { id photographer { username } } } } }")
    cost = cost_of(body)
    assert len(body["data"]["photos"]["edges"]) == 3
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (101, 1 + 3 * 2)
    # Only the actual cost left the bucket (the sign-up's mutations spent from it too).
    before = cost["throttleStatus"]["currentlyAvailable"]
    again = cost_of(await client.execute("{ photos(first: 50) { edges { node { id } } } }"))
    assert again["actualQueryCost"] == 4
    assert again["throttleStatus"]["currentlyAvailable"] <= before - 4 + 1  # at most 1 s restored meanwhile


TOO_COSTLY = (
    "{ photos(first: 100) { edges { node { id"
    " collections { photos(first: 100) { edges { node { id photographer { username } } } } } } } } }"
)


async def test_an_operation_above_the_maximum_is_refused_before_any_sql_runs(client, sql):
    sql.reset()
    response = await client.post(TOO_COSTLY)
    assert sql.count == 0
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["requestedQueryCost"] == 1 + 100 * (1 + 1 + 1 + 100 * 2)
    assert error["extensions"]["maximumQueryCost"] == 1000
    # Nothing ran, nothing is charged.
    assert cost_of(body)["actualQueryCost"] == 0
    assert cost_of(body)["throttleStatus"]["currentlyAvailable"] == 1000


async def test_the_maximum_is_a_setting(settings):
    async with metered(settings, max_query_cost=50) as (client, _, _):
        refused = (await client.post("{ photos(first: 50) { edges { node { id } } } }")).json()
        allowed = (await client.post("{ photos(first: 49) { edges { node { id } } } }")).json()
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "errors" not in allowed


# Each bogus ID answers null, and each costs its 1: the actual cost is the requested one.
SPEND = "query Spend($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def spend(points: int) -> dict[str, Any]:
    return {"ids": [f"bogus-{index}" for index in range(points)]}


async def test_the_bucket_drains_refuses_with_retry_after_and_restores(settings):
    async with metered(settings, cost_bucket_size=100, cost_restore_rate=10) as (client, _, clock):
        first = await client.post(SPEND, spend(40))
        second = await client.post(SPEND, spend(40))
        refused = await client.post(SPEND, spend(40))
        assert [cost_of(answer.json())["throttleStatus"]["currentlyAvailable"] for answer in (first, second)] == [
            60,
            20,
        ]
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"  # 20 more points, at 10 a second
        body = refused.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 2}
        assert "try again in 2 s" in body["errors"][0]["message"]
        assert cost_of(body) == {
            "requestedQueryCost": 40,
            "actualQueryCost": 0,
            "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 20, "restoreRate": 10.0},
        }

        clock.now += 1
        assert (await client.post(SPEND, spend(40))).status_code == 429
        clock.now += 1
        restored = await client.post(SPEND, spend(40))
        assert restored.status_code == 200
        assert cost_of(restored.json())["throttleStatus"]["currentlyAvailable"] == 0

        clock.now += 60  # never more than the bucket holds
        full = await client.post(SPEND, spend(1))
        assert cost_of(full.json())["throttleStatus"]["currentlyAvailable"] == 99


async def test_each_caller_has_a_bucket_of_its_own(settings):
    async with metered(settings, cost_bucket_size=200, cost_restore_rate=1) as (client, _, _):
        ada = await sign_up(client)
        bob = await sign_up(client)
        while (await client.post(SPEND, spend(50), token=ada.access_token)).status_code == 200:
            pass
        assert (await client.post(SPEND, spend(50), token=ada.access_token)).status_code == 429
        assert (await client.post(SPEND, spend(50), token=bob.access_token)).status_code == 200
        # The anonymous caller at this address spent on the sign-ups, not on Ada's queries.
        assert (await client.post(SPEND, spend(50))).status_code == 200


async def test_the_bucket_can_be_turned_off(settings):
    changed = settings.model_copy(update={"cost_bucket_size": 0})
    services = Services(changed)
    try:
        assert services.cost_buckets is None
        transport = httpx.ASGITransport(app=create_app(changed, services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            client = GraphQLClient(http)
            answers = [await client.post(SPEND, spend(100)) for _ in range(15)]
            refused = (await client.post(TOO_COSTLY)).json()
    finally:
        await services.close()
    assert {answer.status_code for answer in answers} == {200}
    assert cost_of(answers[0].json()) == {"requestedQueryCost": 100, "actualQueryCost": 100}
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def settle_stopped_work() -> None:
    """A stopped operation may leave a SQLite call finishing in aiosqlite's thread: let it answer while this
    test's event loop still runs (the server's loop always does)."""
    await asyncio.sleep(0.2)


async def test_an_operation_past_the_time_limit_is_stopped_and_logged(settings, caplog):
    async with metered(settings, execution_timeout_seconds=1e-6) as (client, _, _):
        caplog.set_level(logging.WARNING, logger="lensgraph.operations")
        response = await client.post("query Catalogue { photos(first: 20) { edges { node { id title } } } }")
        await settle_stopped_work()
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "was stopped" in body["errors"][0]["message"]
    # A stopped operation is charged what it requested.
    assert cost_of(body)["actualQueryCost"] == cost_of(body)["requestedQueryCost"] == 21
    assert any("Catalogue" in record.getMessage() and "time limit" in record.getMessage() for record in caplog.records)


async def test_a_mutation_past_the_time_limit_writes_nothing(settings, services):
    async with metered(settings, execution_timeout_seconds=1e-6) as (client, _, _):
        response = await client.post(REGISTER, {"input": registration(email="late@example.com", username="late")})
        await settle_stopped_work()
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    async with metered(settings) as (client, _, _):
        again = await client.data(REGISTER, {"input": registration(email="late@example.com", username="late")})
    assert again["register"]["userErrors"] == []


async def test_slow_operations_are_logged_with_name_duration_and_cost_never_variables(settings, caplog):
    async with metered(settings, slow_operation_seconds=0) as (client, _, _):
        caplog.set_level(logging.WARNING, logger="lensgraph.operations")
        await client.post("query Lookup($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["secret-looking-value"]})
    lines = [record.getMessage() for record in caplog.records if record.name == "lensgraph.operations"]
    assert len(lines) == 1
    assert lines[0].startswith("slow operation Lookup: ")
    assert " s, cost 1 requested / 1 actual" in lines[0]
    assert "secret-looking-value" not in caplog.text


async def test_a_slow_compiled_read_is_logged_as_any_other(settings, caplog):
    """The second run of a planned read takes the compiled short way (app/compiled.py): the same log line."""
    async with metered(settings, slow_operation_seconds=0) as (client, _, _):
        caplog.set_level(logging.WARNING, logger="lensgraph.operations")
        for _ in range(2):
            await client.post("query Browse { photos(first: 2) { edges { node { id title } } } }")
    lines = [record.getMessage() for record in caplog.records if record.name == "lensgraph.operations"]
    assert [line.split(":")[0] for line in lines] == ["slow operation Browse"] * 2


async def test_fast_operations_are_not_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger="lensgraph.operations")
    await client.post("query Quick { __typename }")
    assert not [record for record in caplog.records if record.name == "lensgraph.operations"]
