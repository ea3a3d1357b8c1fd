"""With Redis as the rate-limit store, a caller's bucket of cost points is one bucket on every API node, and the
Lua script that keeps it follows the rule of domain/costs.py exactly as the in-memory buckets do."""

from __future__ import annotations

import uuid

import httpx
import pytest

from lensgraph.adapters.ratelimit import MemoryCostBuckets, RedisCostBuckets
from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.domain.costs import Bucket
from tests.conftest import GraphQLClient
from tests.integration.test_worker_redis import redis_answers

pytestmark = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")

REDIS = "redis://127.0.0.1:6379/1"
SPEND = "query Spend($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def spend(points: int) -> dict[str, object]:
    return {"ids": [f"bogus-{index}" for index in range(points)]}


async def test_a_callers_points_are_spent_on_every_node(settings):
    shared = settings.model_copy(
        update={"rate_limit_storage": REDIS, "cost_bucket_size": 100, "cost_restore_rate": 0.01}
    )
    nodes = [Services(shared), Services(shared)]
    clients: list[GraphQLClient] = []
    # One anonymous caller, at an address of its own: the Redis store outlives the test.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.2"
    try:
        for services in nodes:
            transport = httpx.ASGITransport(app=create_app(shared, services=services), client=(address, 1234))
            clients.append(GraphQLClient(httpx.AsyncClient(transport=transport, base_url="http://testserver")))
        first = await clients[0].post(SPEND, spend(60))
        second = await clients[1].post(SPEND, spend(60))
        third = await clients[1].post(SPEND, spend(40))
    finally:
        for client in clients:
            await client.http.aclose()
        for services in nodes:
            await services.close()
    assert first.status_code == 200
    assert first.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 40
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) > 1000  # 20 points at 0.01 a second
    assert third.status_code == 200
    assert third.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_the_redis_script_and_the_memory_buckets_follow_the_same_rule():
    bucket = Bucket(capacity=100, restore_rate=7.5)
    clock = Clock()
    in_redis = RedisCostBuckets(REDIS, bucket, clock)
    in_memory = MemoryCostBuckets(bucket, clock)
    caller = f"test:{uuid.uuid4().hex}"
    steps = [
        (0.0, "take", 30),
        (0.0, "take", 80),
        (0.4, "settle", 10),
        (1.0, "take", 75),
        (2.0, "take", 90),
        (0.0, "settle", -500),
        (3.3, "take", 20),
        (100.0, "take", 100),
        (0.0, "settle", 1_000),
    ]
    try:
        for elapsed, step, amount in steps:
            clock.now += elapsed
            answers = [await getattr(buckets, step)(caller, amount) for buckets in (in_redis, in_memory)]
            redis_answer, memory_answer = answers
            assert redis_answer.allowed == memory_answer.allowed, (step, amount)
            assert redis_answer.retry_after == memory_answer.retry_after, (step, amount)
            assert redis_answer.level.available == pytest.approx(memory_answer.level.available), (step, amount)
    finally:
        await in_redis.close()
