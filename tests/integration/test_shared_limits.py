"""With Redis as the rate-limit store, a sign-in lockout and a request rate hold on every API node."""

from __future__ import annotations

import uuid

import httpx
import pytest

from lensgraph.app import create_app
from lensgraph.app.services import Services
from tests.api.helpers import LOGIN, PASSWORD, sign_up
from tests.conftest import GraphQLClient
from tests.integration.test_worker_redis import redis_answers

pytestmark = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")


async def test_failures_on_one_node_lock_the_account_on_another(settings):
    shared = settings.model_copy(update={"rate_limit_storage": "redis://127.0.0.1:6379/1"})
    nodes = [Services(shared), Services(shared)]
    clients: list[GraphQLClient] = []
    try:
        for services in nodes:
            transport = httpx.ASGITransport(app=create_app(shared, services=services))
            clients.append(GraphQLClient(httpx.AsyncClient(transport=transport, base_url="http://testserver")))
        email = f"locked-{uuid.uuid4().hex[:8]}@example.com"
        await sign_up(clients[0], email=email)
        for _ in range(10):
            await clients[0].data(LOGIN, {"input": {"email": email, "password": "wrong password!"}})
        other_node = await clients[1].data(LOGIN, {"input": {"email": email, "password": PASSWORD}})
        assert other_node["login"]["userErrors"][0]["code"] == "RATE_LIMITED"
    finally:
        for client in clients:
            await client.http.aclose()
        for services in nodes:
            await services.close()


async def test_a_callers_requests_count_on_every_node(settings):
    shared = settings.model_copy(
        update={"rate_limit_storage": "redis://127.0.0.1:6379/1", "request_rate_limit": "3/minute"}
    )
    nodes = [Services(shared), Services(shared)]
    clients: list[GraphQLClient] = []
    # One anonymous caller, at an address of its own: the Redis store outlives the test.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.1"
    try:
        for services in nodes:
            transport = httpx.ASGITransport(app=create_app(shared, services=services), client=(address, 1234))
            clients.append(GraphQLClient(httpx.AsyncClient(transport=transport, base_url="http://testserver")))
        statuses = [(await clients[index % 2].post("{ __typename }")).status_code for index in range(4)]
        assert statuses == [200, 200, 200, 429]
    finally:
        for client in clients:
            await client.http.aclose()
        for services in nodes:
            await services.close()
