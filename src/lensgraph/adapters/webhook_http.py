"""Sending one webhook request: resolve, refuse private addresses, POST with a timeout, no redirects."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from lensgraph.domain.webhooks import all_public

USER_AGENT = "Lensgraph-Webhooks/1"


@dataclass(frozen=True)
class Attempt:
    status: int | None
    latency_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class AddressNotAllowed(Exception):
    pass


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


async def post(
    url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout_seconds: float
) -> Attempt:
    """Checks where the URL points right before sending, so a DNS change cannot turn it inward."""
    parts = urlsplit(url)
    started = time.perf_counter()
    try:
        if not allow_private:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            if not all_public(await resolve(parts.hostname or "", port)):
                raise AddressNotAllowed(f"{parts.hostname} resolves to a private address")
        async with httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False) as client:
            response = await client.post(
                url, content=body, headers={**headers, "content-type": "application/json", "user-agent": USER_AGENT}
            )
        return Attempt(status=response.status_code, latency_ms=_elapsed(started), error=None)
    except AddressNotAllowed:
        raise
    except (httpx.HTTPError, OSError) as exc:
        return Attempt(status=None, latency_ms=_elapsed(started), error=f"{type(exc).__name__}: {exc}"[:500])


def _elapsed(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
