"""Counting windows with the ``limits`` library: in memory for one process, Redis for many."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


class FailureLimiter:
    """At most ``allowed`` failures per key in a moving window of ``minutes``."""

    def __init__(self, storage_url: str, allowed: int, minutes: int, namespace: str) -> None:
        # Redis through redis-py, the client the rest of Lensgraph already uses.
        options = {"implementation": "redispy"} if storage_url.startswith(("redis", "async+redis")) else {}
        self._limiter = MovingWindowRateLimiter(storage_from_string(_async_url(storage_url), **options))
        self._item = RateLimitItemPerMinute(allowed, minutes, namespace=namespace)

    async def blocked(self, key: str) -> bool:
        return not await self._limiter.test(self._item, key)

    async def record_failure(self, key: str) -> None:
        await self._limiter.hit(self._item, key)

    async def reset(self, key: str) -> None:
        await self._limiter.clear(self._item, key)


def _async_url(url: str) -> str:
    return url if url.startswith("async+") else f"async+{url}"
