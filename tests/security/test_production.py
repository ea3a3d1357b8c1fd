"""Production posture: no GraphiQL unless asked for, no operations from GET, no schema hints in errors, and
introspection on unless turned off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.config import Settings
from tests.api.helpers import registration
from tests.conftest import GraphQLClient

BROWSER = {"accept": "text/html,application/xhtml+xml"}
PROBES = {
    "a field": "{ viewr { email } }",
    "an argument": "{ photos(frist: 1) { totalCount } }",
    "a type": "query($input: RegisterInpt!) { __typename }",
    "an input field": 'mutation { login(input: {emial: "a@example.com", password: "p"}) { accessToken } }',
    "an enum value": "query { plans(role: PHOTOGRAPHR) { id } }",
}


def production(settings: Settings, **overrides: Any) -> Settings:
    return settings.model_copy(
        update={
            "environment": "production",
            "stripe_secret_key": SecretStr("sk_test_unused"),
            "stripe_webhook_secret": SecretStr("whsec_unused"),
            **overrides,
        }
    )


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[GraphQLClient]:
    services = Services(settings)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http)
    finally:
        await services.close()


async def test_graphiql_is_off_in_production_unless_asked_for(settings):
    async with serving(production(settings)) as client:
        response = await client.http.get("/graphql", headers=BROWSER)
        assert response.status_code == 404 and "graphiql" not in response.text.lower()
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    async with serving(production(settings, graphiql=True)) as client:
        response = await client.http.get("/graphql", headers=BROWSER)
        assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_development_keeps_graphiql_unless_turned_off(settings):
    async with serving(settings.model_copy(update={"graphiql": False})) as client:
        assert (await client.http.get("/graphql", headers=BROWSER)).status_code == 404


async def test_production_runs_no_operation_from_get(settings):
    async with serving(production(settings)) as client:
        for query in ("{ __typename }", "mutation { logout(input: {}) { ok } }"):
            response = await client.http.get("/graphql", params={"query": query})
            assert response.status_code == 405, response.text
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "INVALID_INPUT" and "POST" in error["message"]
        posted = await client.data("{ __typename }")
        assert posted == {"__typename": "Query"}


async def test_development_still_serves_queries_over_get(client):
    response = await client.http.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("document", PROBES.values(), ids=PROBES.keys())
async def test_production_errors_suggest_nothing(settings, document):
    async with serving(production(settings)) as client:
        body = await client.execute(document)
    messages = [error["message"] for error in body["errors"]]
    assert messages and all("did you mean" not in message.lower() for message in messages), messages
    assert all(error["extensions"]["code"] == "INVALID_INPUT" for error in body["errors"])


async def test_production_suggests_nothing_for_variables_either(settings):
    document = "mutation($input: RegisterInput!) { register(input: $input) { user { id } } }"
    async with serving(production(settings)) as client:
        body = await client.execute(document, {"input": registration(role="PHOTOGRAPHR")})
    message = body["errors"][0]["message"]
    assert "PHOTOGRAPHR" in message and "did you mean" not in message.lower(), message


async def test_development_keeps_its_suggestions(client):
    body = await client.execute(PROBES["a field"])
    assert "Did you mean" in body["errors"][0]["message"]


async def test_introspection_stays_on_in_production_by_default(settings):
    async with serving(production(settings)) as client:
        schema = await client.data("{ __schema { queryType { name } } }")
    assert schema["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_can_be_turned_off(settings):
    async with serving(production(settings, introspection=False)) as client:
        for document in ("{ __schema { types { name } } }", '{ __type(name: "User") { fields { name } } }'):
            body = await client.execute(document)
            assert body.get("data") is None
            assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
        # __typename is not introspection of the schema: clients (Apollo, Relay) add it everywhere.
        assert await client.data("{ __typename }") == {"__typename": "Query"}
