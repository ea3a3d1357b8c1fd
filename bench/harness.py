"""The measuring side: the real app behind httpx, a per-call SQL statement count, timings, the table.

Requests go through ``create_app(settings)`` with its lifespan started (jobs, outbox relay), exactly as
a server runs. The relay polls the same engine once a second, so statements are counted per call
through a context variable: only statements sent on behalf of the call being measured are counted.
"""

from __future__ import annotations

import gc
import math
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import httpx
import orjson
from pydantic import SecretStr
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.config import Settings
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import User

T = TypeVar("T")
PUBLIC_URL = "http://bench.lensgraph.local"
BENCH_SECRET_KEY = "lensgraph-bench-secret-key-not-for-production"
# Long enough for a full run on a slow machine; the bench never exercises expiry.
TOKEN_MINUTES = 24 * 60
_statements: ContextVar[list[str] | None] = ContextVar("bench_statements", default=None)


class WorkloadFailed(Exception):
    """A workload got a GraphQL error, an HTTP error, or an answer that differs from its baseline."""


@dataclass(frozen=True)
class Sample:
    """One timed call: wall-clock seconds and the SQL statements it sent."""

    seconds: float
    statements: int


# A response body and how its call measured; an iteration of a workload is one or more of them.
Exchange = tuple[dict[str, Any], Sample]
Iteration = Callable[[], Awaitable[list[Exchange]]]


class StatementProbe:
    """Counts the statements an engine executes inside ``measure``, whatever else runs on the loop."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.sync_engine
        event.listen(self._engine, "before_cursor_execute", self._record)

    @staticmethod
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        collected = _statements.get()
        if collected is not None:
            collected.append(statement)

    async def measure(self, call: Callable[[], Awaitable[T]]) -> tuple[T, Sample]:
        collected: list[str] = []
        token = _statements.set(collected)
        try:
            started = time.perf_counter()
            result = await call()
            elapsed = time.perf_counter() - started
        finally:
            _statements.reset(token)
        return result, Sample(elapsed, len(collected))

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)


def bench_settings(database_url: str, data_dir: Path) -> Settings:
    """A fixed secret key and the in-process broker and pubsub: nothing outside this process."""
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key=SecretStr(BENCH_SECRET_KEY),
        broker="memory",
        pubsub="memory",
        public_url=PUBLIC_URL,
        access_token_minutes=TOKEN_MINUTES,
        # Every request is still counted, as in production, but never refused: the bench sends thousands a minute.
        request_rate_limit="1000000/minute",
        # Likewise every operation is priced and charged, but its caller's bucket refills faster than it drains.
        cost_restore_rate=1e9,
    )


@dataclass(frozen=True)
class Account:
    user_id: UUID
    access_token: str


class BenchApp:
    """The running app, a client for it, and a raw connection path for baselines, both measured."""

    def __init__(self, services: Services, http: httpx.AsyncClient) -> None:
        self.services = services
        self.http = http
        self.probe = StatementProbe(services.db.engine)

    @property
    def files_url(self) -> str:
        """Where signed file URLs point: the part of them that does not change from call to call."""
        return f"{self.services.settings.public_url}/files/"

    async def sign_in(self, username: str) -> Account:
        """An access token from the app's own signer, as the login mutation would issue it."""
        async with self.services.db.session() as session:
            user = await session.scalar(select(User).where(User.username == username))
        if user is None:
            raise WorkloadFailed(f"no account {username!r}: is this a database made by `python -m bench generate`?")
        token, _expires_at = self.services.access_tokens.issue(
            user.id, user.role.value, utcnow(), token_version=user.token_version
        )
        return Account(user.id, token)

    async def graphql(
        self, document: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> Exchange:
        """POSTs a document as a browser would; the response must be a 200 without errors."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = {"query": document, "variables": variables or {}}
        response, sample = await self.probe.measure(lambda: self.http.post("/graphql", json=payload, headers=headers))
        if response.status_code != 200:
            raise WorkloadFailed(f"HTTP {response.status_code}: {response.text[:500]}")
        body: dict[str, Any] = orjson.loads(response.content)
        if body.get("errors"):
            raise WorkloadFailed(f"GraphQL errors: {orjson.dumps(body['errors']).decode()[:1000]}")
        # The cost report (extensions.cost) is about the request, not part of the answer a baseline reproduces.
        body.pop("extensions", None)
        return body, sample

    async def raw(self, query: Callable[[AsyncConnection], Awaitable[bytes]]) -> Exchange:
        """Runs a baseline on a pooled connection of the app's engine: its statements and its JSON bytes."""

        async def run() -> bytes:
            async with self.services.db.engine.connect() as connection:
                return await query(connection)

        encoded, sample = await self.probe.measure(run)
        body: dict[str, Any] = orjson.loads(encoded)
        return body, sample


@asynccontextmanager
async def running_app(database_url: str) -> AsyncIterator[BenchApp]:
    """Starts the app's lifespan and yields it behind an httpx client; stops everything afterwards."""
    with tempfile.TemporaryDirectory(prefix="lensgraph-bench-") as data_dir:
        settings = bench_settings(database_url, Path(data_dir))
        app = create_app(settings)
        services: Services = app.state.services
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
                bench = BenchApp(services, http)
                try:
                    yield bench
                finally:
                    bench.probe.close()


# Figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What a list of samples comes to: statements per call (min and max) and latency percentiles."""

    requests: int
    statements_min: int
    statements_max: int
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, samples: list[Sample]) -> Figures:
        if not samples:
            raise ValueError("no samples to summarise")
        latencies = sorted(sample.seconds * 1000 for sample in samples)
        statements = [sample.statements for sample in samples]
        return cls(
            requests=len(samples),
            statements_min=min(statements),
            statements_max=max(statements),
            p50_ms=statistics.median(latencies),
            p99_ms=_nearest_rank(latencies, 0.99),
        )

    @property
    def statements(self) -> str:
        if self.statements_min == self.statements_max:
            return str(self.statements_min)
        return f"{self.statements_min}-{self.statements_max}"


def _nearest_rank(ordered: list[float], quantile: float) -> float:
    return ordered[max(0, math.ceil(quantile * len(ordered)) - 1)]


@dataclass(frozen=True)
class Result:
    workload: str
    api: Figures
    baseline: Figures

    @property
    def ratio(self) -> float:
        return self.api.p50_ms / self.baseline.p50_ms if self.baseline.p50_ms else math.inf

    def as_json(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "api": asdict(self.api),
            "baseline": asdict(self.baseline),
            "ratio": round(self.ratio, 2),
        }


async def time_iterations(iteration: Iteration, *, iterations: int, warmup: int) -> list[Sample]:
    """Runs ``warmup`` untimed iterations, then ``iterations`` timed ones; an iteration may send several calls."""
    for _ in range(warmup):
        await iteration()
    gc.collect()
    samples: list[Sample] = []
    for _ in range(iterations):
        samples += [sample for _body, sample in await iteration()]
    return samples


COLUMNS = (
    ("workload", "<"),
    ("requests", ">"),
    ("statements/request", ">"),
    ("p50 ms", ">"),
    ("p99 ms", ">"),
    ("baseline p50 ms", ">"),
    ("baseline p99 ms", ">"),
    ("ratio", ">"),
)


def render_table(results: list[Result]) -> str:
    """A plain text table, one row per workload; ``ratio`` is the API's p50 over the baseline's."""
    rows = [
        (
            result.workload,
            str(result.api.requests),
            result.api.statements,
            f"{result.api.p50_ms:.2f}",
            f"{result.api.p99_ms:.2f}",
            f"{result.baseline.p50_ms:.2f}",
            f"{result.baseline.p99_ms:.2f}",
            f"{result.ratio:.1f}x",
        )
        for result in results
    ]
    widths = [max(len(name), *(len(row[index]) for row in rows)) for index, (name, _) in enumerate(COLUMNS)]
    lines = [
        "  ".join(f"{cell:{align}{width}}" for cell, (_, align), width in zip(cells, COLUMNS, widths, strict=True))
        for cells in [tuple(name for name, _ in COLUMNS), *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)
