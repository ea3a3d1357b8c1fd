"""API keys have rate buckets of their own, one for reads (queries) and one for writes (mutations), sized by
LENSGRAPH_API_KEY_*_RATE_LIMIT or by the key's plan; tokens and anonymous callers keep the per-user rate."""

from __future__ import annotations

import asyncio

from lensgraph.domain.plans import plan_by_id
from tests.api.helpers import sign_up
from tests.api.test_api_keys import create_key
from tests.api.test_rate_limits import WHO, serving

RENAME = 'mutation { updateProfile(input: {firstName: "Ada"}) { userErrors { code } } }'


async def _key(settings):
    async with serving(settings, "off") as setup:
        ada = await sign_up(setup)
        return ada, (await create_key(setup, ada.access_token))["rawKey"]


async def test_reads_and_writes_of_a_key_are_counted_apart(settings):
    ada, key = await _key(settings)
    limits = {"api_key_read_rate_limit": 3, "api_key_write_rate_limit": 2}
    async with serving(settings, "100/minute", **limits) as client:
        reads = [await client.post(WHO, headers={"X-API-Key": key}) for _ in range(4)]
        writes = [await client.post(RENAME, headers={"X-API-Key": key}) for _ in range(3)]
        # The user's own rate (a token) is not the key's: untouched by the key's requests.
        by_token = await client.post(WHO, token=ada.access_token)
    assert [answer.status_code for answer in reads] == [200, 200, 200, 429]
    assert [answer.headers.get("ratelimit-remaining") for answer in reads[:3]] == ["2", "1", "0"]
    assert reads[0].headers["ratelimit-limit"] == "3"
    refused = reads[3]
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert [answer.status_code for answer in writes] == [200, 200, 429]
    assert writes[0].headers["ratelimit-limit"] == "2"
    assert "errors" not in writes[0].json()
    assert by_token.status_code == 200 and by_token.headers["ratelimit-limit"] == "100"


async def test_each_key_has_its_own_buckets_under_concurrent_requests(settings):
    async with serving(settings, "off") as setup:
        ada = await sign_up(setup)
        first = (await create_key(setup, ada.access_token, description="one"))["rawKey"]
        second = (await create_key(setup, ada.access_token, description="two"))["rawKey"]
    async with serving(settings, "off", api_key_read_rate_limit=5) as client:
        answers = await asyncio.gather(*(client.post(WHO, headers={"X-API-Key": first}) for _ in range(8)))
        other = await client.post(WHO, headers={"X-API-Key": second})
    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [429] * 3
    assert other.status_code == 200


async def test_a_get_query_counts_as_a_read(settings):
    _, key = await _key(settings)
    async with serving(settings, "off", api_key_read_rate_limit=1, api_key_write_rate_limit=1) as client:
        first = await client.http.get("/graphql", params={"query": WHO}, headers={"X-API-Key": key})
        second = await client.http.get("/graphql", params={"query": WHO}, headers={"X-API-Key": key})
        write = await client.post(RENAME, headers={"X-API-Key": key})
    assert (first.status_code, second.status_code, write.status_code) == (200, 429, 200)


async def test_the_plan_sets_the_rate_of_its_keys(settings):
    enterprise = plan_by_id("photographer-enterprise").limits.api_key_requests_per_minute
    assert enterprise == 14_400
    assert plan_by_id("photographer-free").limits.api_key_requests_per_minute is None
    _, key = await _key(settings)
    async with serving(settings, "off") as client:
        answer = await client.post(WHO, headers={"X-API-Key": key})
        plans = await client.data("{ plans(role: PHOTOGRAPHER) { id limits { apiKeyRequestsPerMinute } } }")
    # The free plan: the server's default.
    assert answer.headers["ratelimit-limit"] == "3600"
    by_id = {plan["id"]: plan["limits"]["apiKeyRequestsPerMinute"] for plan in plans["plans"]}
    assert by_id["photographer-enterprise"] == 14_400 and by_id["photographer-free"] is None
