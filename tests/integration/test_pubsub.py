"""The pubsub adapters: what one side publishes, a subscriber of those channels receives, in order."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from lensgraph.adapters.pubsub import PubSub, create_pubsub
from tests.integration.test_worker_redis import redis_answers

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["memory", "redis"])
async def pubsub(request: pytest.FixtureRequest) -> AsyncIterator[PubSub]:
    if request.param == "redis" and not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    url = "memory" if request.param == "memory" else REDIS_URL
    adapter = create_pubsub(url, namespace=f"lensgraph-test-{uuid.uuid4().hex[:8]}")
    yield adapter
    await adapter.close()


async def test_a_subscriber_of_several_channels_receives_theirs_only_in_order(pubsub: PubSub):
    async with pubsub.subscribe("events:a", "events:b") as stream:
        await pubsub.publish("events:a", {"n": 1})
        await pubsub.publish("events:elsewhere", {"n": 0})
        await pubsub.publish("events:b", {"n": 2})
        await pubsub.publish("events:a", {"n": 3})
        received = [await asyncio.wait_for(anext(stream), 5) for _ in range(3)]
    assert received == [{"n": 1}, {"n": 2}, {"n": 3}]


async def test_after_unsubscribing_nothing_is_queued(pubsub: PubSub):
    async with pubsub.subscribe("events:a") as stream:
        await pubsub.publish("events:a", {"n": 1})
        assert await asyncio.wait_for(anext(stream), 5) == {"n": 1}
    await pubsub.publish("events:a", {"n": 2})  # no subscriber left: must not fail
