"""Live messages between processes: in memory for one process, Redis for many API nodes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

import orjson

log = logging.getLogger(__name__)

QUEUE_SIZE = 256


class PubSub(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, *channels: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
        """Messages of every channel named, in the order they were published."""
        ...

    async def ping(self) -> bool:
        """Whether messages can be published now."""
        ...

    async def close(self) -> None: ...


class MemoryPubSub:
    """One process: every subscriber of a channel gets its own bounded queue."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        for queue in list(self._queues.get(channel, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                log.warning("subscriber on %s is too slow: message dropped", channel)

    @contextlib.asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        for channel in channels:
            self._queues[channel].add(queue)

        async def messages() -> AsyncIterator[dict[str, Any]]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            for channel in channels:
                self._queues[channel].discard(queue)
                if not self._queues[channel]:
                    del self._queues[channel]

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._queues.clear()


class RedisPubSub:
    """Many processes: Redis PUBLISH/SUBSCRIBE; one connection per subscription, closed with it."""

    def __init__(self, url: str, namespace: str = "lensgraph") -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._prefix = f"{namespace}:"

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._prefix + channel, orjson.dumps(message))

    @contextlib.asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(*(self._prefix + channel for channel in channels))

        async def messages() -> AsyncIterator[dict[str, Any]]:
            async for raw in pubsub.listen():
                if raw.get("type") == "message":
                    yield orjson.loads(raw["data"])

        try:
            yield messages()
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except Exception:
            return False

    async def close(self) -> None:
        await self._redis.aclose()


def create_pubsub(url: str, namespace: str) -> PubSub:
    if url == "memory":
        return MemoryPubSub()
    if url.startswith(("redis://", "rediss://")):
        return RedisPubSub(url, namespace)
    raise ValueError("LENSGRAPH_PUBSUB must be memory or redis://...")
