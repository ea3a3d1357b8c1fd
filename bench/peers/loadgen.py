"""The load driver: HTTP/1.1 keep-alive connections on asyncio streams, nothing between the socket and the bytes.

Every connection sends one request, reads the whole answer, and sends the next (no pipelining), so the
figures are those of a closed-loop client with ``connections`` users. Requests are prepared bytes: a
``RequestSource`` returns the next one, so a workload may walk ids or make every mutation unique. An answer
counts as an error when its status is not 2xx, when it carries GraphQL ``errors`` or a non-empty
``userErrors``, or when the connection fails (the connection is then opened again).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Builds the next complete request (request line, headers and body).
RequestSource = Callable[[], bytes]
GRAPHQL_ERRORS = b'"errors"'
USER_ERRORS = re.compile(rb'"userErrors"\s*:\s*\[\s*\{')
SAMPLE_CHARS = 300


def http_request(host: str, port: int, path: str, body: bytes, token: str | None = None) -> bytes:
    """A POST of a JSON body, with the headers a GraphQL client sends."""
    headers = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
    ]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def is_error_answer(status: int, body: bytes) -> bool:
    if not 200 <= status < 300:
        return True
    return GRAPHQL_ERRORS in body or (b'"userErrors"' in body and USER_ERRORS.search(body) is not None)


@dataclass
class LoadResult:
    """One measured run: requests answered in the window, latencies in ms, and what went wrong."""

    seconds: float
    connections: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    failed_connections: int = 0
    sample_error: str | None = None
    body_bytes: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, quantile: float) -> float:
        """Nearest rank; NaN when nothing was answered."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(quantile * len(ordered)) - 1)]

    @property
    def faults(self) -> int:
        return self.errors + self.failed_connections

    def as_json(self) -> dict[str, Any]:
        return {
            "rps": round(self.rps, 1),
            "requests": self.requests,
            "p50_ms": round(self.percentile(0.50), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "errors": self.errors,
            "failed_connections": self.failed_connections,
            "average_bytes": round(self.body_bytes / self.requests) if self.requests else 0,
            "sample_error": self.sample_error,
        }


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The status and body of one HTTP/1.1 answer (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lowered = head.lower()
    at = lowered.find(b"content-length:")
    if at >= 0:
        length = int(lowered[at + 15 : lowered.index(b"\r\n", at)])
        return status, await reader.readexactly(length)
    if b"transfer-encoding: chunked" not in lowered:
        raise ConnectionError("an answer without Content-Length on a keep-alive connection")
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, b"".join(chunks)
        chunks.append(chunk[:-2])


class _Window:
    """When the measured window opens and closes; before it the load is warm-up and is not recorded."""

    def __init__(self, warmup: float, seconds: float) -> None:
        self.opens = time.perf_counter() + warmup
        self.closes = self.opens + seconds


async def _connection(host: str, port: int, next_request: RequestSource, window: _Window, result: LoadResult) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        while time.perf_counter() < window.closes:
            if writer is None:
                try:
                    reader, writer = await asyncio.open_connection(host, port)
                except OSError:
                    result.failed_connections += 1
                    await asyncio.sleep(0.05)
                    continue
            assert reader is not None
            request = next_request()
            started = time.perf_counter()
            try:
                writer.write(request)
                status, body = await read_answer(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
                if started >= window.opens:
                    result.failed_connections += 1
                writer.close()
                reader, writer = None, None
                continue
            finished = time.perf_counter()
            if started < window.opens or finished > window.closes:
                continue
            result.latencies_ms.append((finished - started) * 1000)
            result.body_bytes += len(body)
            if is_error_answer(status, body):
                result.errors += 1
                if result.sample_error is None:
                    result.sample_error = f"HTTP {status}: {body[:SAMPLE_CHARS].decode(errors='replace')}"
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def drive(
    host: str, port: int, next_request: RequestSource, *, connections: int, seconds: float, warmup: float
) -> LoadResult:
    """``warmup`` seconds of load (discarded), then ``seconds`` measured, on ``connections`` connections."""
    result = LoadResult(seconds=seconds, connections=connections)
    window = _Window(warmup, seconds)
    await asyncio.gather(*(_connection(host, port, next_request, window, result) for _ in range(connections)))
    return result


def run_load(
    host: str, port: int, next_request: RequestSource, *, connections: int, seconds: float, warmup: float
) -> LoadResult:
    """``drive`` on its own event loop: uvloop when it is installed (uvicorn[standard] brings it)."""
    coroutine = drive(host, port, next_request, connections=connections, seconds=seconds, warmup=warmup)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] is a dependency
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)
