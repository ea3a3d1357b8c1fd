"""Counting windows with the ``limits`` library, and cost buckets: in memory for one process, Redis for many."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from limits import RateLimitItemPerMinute, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from lensgraph.domain.costs import Bucket, BucketLevel, Spending, settle, take


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

    async def hit_per_minute(self, caller: str, per_minute: int) -> Allowance:
        """Counts one request against ``per_minute`` rather than the limiter's rate: an API key's read or
        write bucket, whose size its owner's plan may set. A bucket is named by its size too, so a plan
        change starts a new one rather than judging old counts by the new size."""
        item = RateLimitItemPerMinute(per_minute, 1, namespace="key-requests")
        allowed = await self._limiter.hit(item, caller)
        window = await self._limiter.get_window_stats(item, caller)
        reset_after = max(1, math.ceil(window.reset_time - time.time()))
        return Allowance(allowed, per_minute, window.remaining, reset_after)

    async def exhausted(self, caller: str) -> Allowance | None:
        """The caller's allowance when it has no request left, without counting one; None while it has."""
        if await self._limiter.test(self._item, "requests", caller):
            return None
        return await self._allowance(caller, False)

    async def _allowance(self, caller: str, allowed: bool) -> Allowance:
        window = await self._limiter.get_window_stats(self._item, "requests", caller)
        reset_after = max(1, math.ceil(window.reset_time - time.time()))
        return Allowance(allowed, self._item.amount, window.remaining, reset_after)


class CostBuckets(Protocol):
    """Every caller's bucket of query-cost points (``domain/costs.py``), one atomic step per call."""

    bucket: Bucket

    async def take(self, caller: str, amount: int) -> Spending: ...

    async def settle(self, caller: str, refund: int) -> Spending: ...

    async def close(self) -> None: ...


class MemoryCostBuckets:
    """One process's buckets. Each step reads and writes without awaiting in between: atomic on the event loop."""

    # Past this many callers, the buckets that have filled up again are forgotten (a full bucket is the default).
    PRUNE_ABOVE = 10_000

    def __init__(self, bucket: Bucket, clock: Callable[[], float] = time.time) -> None:
        self.bucket = bucket
        self.clock = clock
        self._levels: dict[str, BucketLevel] = {}

    async def take(self, caller: str, amount: int) -> Spending:
        return self._apply(caller, lambda level, now: take(self.bucket, level, now, amount))

    async def settle(self, caller: str, refund: int) -> Spending:
        return self._apply(caller, lambda level, now: settle(self.bucket, level, now, refund))

    async def close(self) -> None:
        self._levels.clear()

    def _apply(self, caller: str, rule: Callable[[BucketLevel | None, float], Spending]) -> Spending:
        now = self.clock()
        spending = rule(self._levels.get(caller), now)
        self._levels[caller] = spending.level
        if len(self._levels) > self.PRUNE_ABOVE:
            self._prune(now)
        return spending

    def _prune(self, now: float) -> None:
        refill_seconds = self.bucket.capacity / self.bucket.restore_rate if self.bucket.restore_rate > 0 else math.inf
        self._levels = {key: level for key, level in self._levels.items() if now - level.at < refill_seconds}


# ``take`` and ``settle`` of domain/costs.py, in one atomic step in Redis. KEYS[1]: the caller's bucket;
# ARGV: now (s), capacity, restore rate (points/s), amount, "take" or "settle". Returns {allowed, available}.
# The time comes from the API node, as with the ``limits`` library's windows: the nodes' clocks agree (NTP).
COST_BUCKET_SCRIPT = """
local now = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local amount = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'available', 'at')
local available = capacity
if state[1] then
  local elapsed = math.max(0, now - tonumber(state[2]))
  available = math.min(capacity, tonumber(state[1]) + elapsed * rate)
end
local allowed = 1
if ARGV[5] == 'take' then
  if amount > available then allowed = 0 else available = available - amount end
else
  available = math.max(0, math.min(capacity, available + amount))
end
redis.call('HSET', KEYS[1], 'available', tostring(available), 'at', ARGV[1])
if rate > 0 then redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1) end
return {allowed, tostring(available)}
"""


class RedisCostBuckets:
    """Buckets shared by every API node: a Lua script (sent once, then run by its SHA) takes and settles."""

    def __init__(
        self, url: str, bucket: Bucket, clock: Callable[[], float] = time.time, namespace: str = "lensgraph"
    ) -> None:
        import redis.asyncio as redis  # an optional extra, needed only with a redis:// store

        self.bucket = bucket
        self.clock = clock
        self._prefix = f"{namespace}:cost-bucket:"
        self._client: Any = redis.Redis.from_url(url.removeprefix("async+"))
        self._script: Any = self._client.register_script(COST_BUCKET_SCRIPT)

    async def take(self, caller: str, amount: int) -> Spending:
        return await self._run(caller, amount, "take")

    async def settle(self, caller: str, refund: int) -> Spending:
        return await self._run(caller, refund, "settle")

    async def _run(self, caller: str, amount: int, step: str) -> Spending:
        now = self.clock()
        bucket = self.bucket
        allowed, available = await self._script(
            keys=[self._prefix + caller], args=[repr(now), bucket.capacity, bucket.restore_rate, amount, step]
        )
        level = BucketLevel(float(available), now)
        if allowed:
            return Spending(True, level, 0)
        # Refused: how long until ``amount`` is available, by the same rule.
        return take(bucket, level, now, amount)

    async def close(self) -> None:
        await self._client.aclose()


def cost_buckets(storage_url: str, bucket: Bucket, clock: Callable[[], float] = time.time) -> CostBuckets:
    if storage_url.startswith(("redis", "async+redis")):
        return RedisCostBuckets(storage_url, bucket, clock)
    return MemoryCostBuckets(bucket, clock)


def _storage(url: str) -> Storage:
    # Redis through redis-py, the client the rest of Lensgraph already uses.
    options = {"implementation": "redispy"} if url.startswith(("redis", "async+redis")) else {}
    storage = storage_from_string(url if url.startswith("async+") else f"async+{url}", **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"LENSGRAPH_RATE_LIMIT_STORAGE: {url!r} has no asynchronous storage")
    return storage
