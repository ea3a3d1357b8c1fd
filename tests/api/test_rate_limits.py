"""Requests to /graphql are counted per caller: a user (token or API key alike), else the client's address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.config import Settings
from tests.api.helpers import sign_up
from tests.api.test_api_keys import create_key
from tests.conftest import GraphQLClient

WHO = "{ viewer { user { username } } }"


@asynccontextmanager
async def serving(settings: Settings, rate: str, **overrides: object) -> AsyncIterator[GraphQLClient]:
    """A client of the app with ``rate`` as its request rate, on the test's database."""
    rated = settings.model_copy(
        update={"request_rate_limit": Settings(request_rate_limit=rate).request_rate_limit, **overrides}
    )
    services = Services(rated)
    transport = httpx.ASGITransport(app=create_app(rated, services=services))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http)
    finally:
        await services.close()


async def test_a_caller_over_its_rate_is_told_when_to_come_back(settings):
    async with serving(settings, "3/minute") as client:
        answers = [await client.post("{ __typename }") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer.headers.get("ratelimit-remaining") for answer in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["ratelimit-limit"] == "3"
    refused = answers[3]
    retry_after = int(refused.headers["retry-after"])
    assert 0 < retry_after <= 60
    assert refused.headers["ratelimit-remaining"] == "0" and refused.headers["ratelimit-reset"] == str(retry_after)
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert f"try again in {retry_after} s" in error["message"]


async def test_each_user_has_a_rate_of_its_own_whichever_credential_it_uses(settings):
    # With API keys' own buckets off (test_key_rate_limits.py has them on), a key spends its user's rate.
    async with serving(settings, "off") as setup:
        ada = await sign_up(setup)
        bob = await sign_up(setup)
        key = (await create_key(setup, ada.access_token))["rawKey"]

    async with serving(settings, "3/minute", api_key_read_rate_limit=0) as client:
        statuses = [
            (await client.post(WHO, token=ada.access_token)).status_code,
            (await client.post(WHO, headers={"X-API-Key": key})).status_code,
            (await client.post(WHO, token=ada.access_token)).status_code,
            (await client.post(WHO, headers={"X-API-Key": key})).status_code,
        ]
        assert statuses == [200, 200, 200, 429]
        assert (await client.post(WHO, token=bob.access_token)).status_code == 200
        assert (await client.post(WHO)).status_code == 200  # the anonymous caller at this address


async def test_a_rate_can_be_turned_off(settings):
    async with serving(settings, "off") as client:
        answers = [await client.post("{ __typename }") for _ in range(5)]
    assert {answer.status_code for answer in answers} == {200}
    assert "ratelimit-limit" not in answers[0].headers
