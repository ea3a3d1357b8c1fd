"""Sending one webhook request through the guarded outbound client: a POST with a timeout, no redirects.

Standard Webhooks senders do not follow redirects: a 3xx is the receiver's answer (a failure, retried),
so a receiver cannot bounce a signed delivery to another host.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from lensgraph.adapters.outbound_http import AddressNotAllowed, OutboundHttp

USER_AGENT = "Lensgraph-Webhooks/1"

__all__ = ["USER_AGENT", "AddressNotAllowed", "Attempt", "post"]


@dataclass(frozen=True)
class Attempt:
    status: int | None
    latency_ms: int
    error: str | None


async def post(outbound: OutboundHttp, url: str, body: bytes, headers: dict[str, str]) -> Attempt:
    """One attempt; ``AddressNotAllowed`` when the URL is or resolves to a private address."""
    started = time.perf_counter()
    try:
        response = await outbound.post(
            url, body, {**headers, "content-type": "application/json", "user-agent": USER_AGENT}
        )
        return Attempt(status=response.status_code, latency_ms=_elapsed(started), error=None)
    except (httpx.HTTPError, OSError) as exc:
        return Attempt(status=None, latency_ms=_elapsed(started), error=f"{type(exc).__name__}: {exc}"[:500])


def _elapsed(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
