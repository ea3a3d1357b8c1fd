"""Counting windows with the ``limits`` library: in memory for one process, Redis for many."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string


class FailureLimiter:
    """At most ``allowed`` attempts per key in a moving window of ``minutes``; a success forgets them."""

    def __init__(self, storage_url: str, allowed: int, minutes: int, namespace: str) -> None:
        self._limiter = MovingWindowRateLimiter(_storage(storage_url))
        self._item = RateLimitItemPerMinute(allowed, minutes, namespace=namespace)

    async def attempt(self, key: str) -> bool:
        """Counts one attempt before it is judged, and answers whether it may go ahead. One atomic step (a lock
        in memory, a script in Redis): concurrent attempts cannot all pass a check made before any is counted."""
        return await self._limiter.hit(self._item, key)

    async def reset(self, key: str) -> None:
        await self._limiter.clear(self._item, key)


@dataclass(frozen=True)
class Allowance:
    """The answer to one request: let through or not, and what the caller has left."""

    allowed: bool
    limit: int
    remaining: int
    # Seconds until the oldest request in the window leaves it (one more is allowed then).
    reset_after: int


class RequestLimiter:
    """At most ``rate`` requests per caller, ``rate`` in the limits notation ("600/minute")."""

    def __init__(self, storage_url: str, rate: str) -> None:
        # Two counters per caller, where a moving window would keep up to ``rate`` timestamps per caller.
        self._limiter = SlidingWindowCounterRateLimiter(_storage(storage_url))
        self._item = parse(rate)

    async def hit(self, caller: str) -> Allowance:
        allowed = await self._limiter.hit(self._item, "requests", caller)
        return await self._allowance(caller, allowed)

    async def exhausted(self, caller: str) -> Allowance | None:
        """The caller's allowance when it has no request left, without counting one; None while it has."""
        if await self._limiter.test(self._item, "requests", caller):
            return None
        return await self._allowance(caller, False)

    async def _allowance(self, caller: str, allowed: bool) -> Allowance:
        window = await self._limiter.get_window_stats(self._item, "requests", caller)
        reset_after = max(1, math.ceil(window.reset_time - time.time()))
        return Allowance(allowed, self._item.amount, window.remaining, reset_after)


def _storage(url: str) -> Storage:
    # Redis through redis-py, the client the rest of Lensgraph already uses.
    options = {"implementation": "redispy"} if url.startswith(("redis", "async+redis")) else {}
    storage = storage_from_string(url if url.startswith("async+") else f"async+{url}", **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"LENSGRAPH_RATE_LIMIT_STORAGE: {url!r} has no asynchronous storage")
    return storage
