"""The differential check of the compiled read path (issue 14): one request, two apps over one database.

``Pair`` holds an app built with ``compiled_operations=True`` and one with ``compiled_operations=False``, each with
services of its own (the planner may read the setting from either) over the same database. ``Pair.check`` sends a
request to the compiled app, then to the resolvers app, then to the compiled app again (a planner may compile an
operation on first sight or only once its document is cached: both answers are held to the resolvers' one), and
reports any difference in HTTP status or body. Bodies compare as bytes after ``orjson.OPT_SORT_KEYS``, so data, errors
(message, path, locations, extensions) and extensions such as the cost must all be the same.

What ``COMPILED_OPERATIONS`` counted for each request's compiled-app runs is kept per corpus (``Pair.paths``), so a
test can require that its corpus actually went through the planner.

The one thing held still rather than compared as it comes is the clock that signs file URLs (``frozen_url_clock``):
a signed URL carries its expiry (``exp``, in whole seconds, from ``time.time()``) and an HMAC over it (``sig``), so two
back-to-back calls straddling a second would differ for a reason that is not the path. Everything else is compared
as answered. (``node()`` records a view, but in each app's own memory: the apps' lifespans do not run under
``httpx.ASGITransport``, so nothing is flushed to the database and no answer sees it.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client import REGISTRY

from lensgraph.adapters.storage import local as local_storage
from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.config import Settings

COMPILED, RESOLVERS = "compiled", "resolvers"
PATHS = (COMPILED, RESOLVERS)
COUNTER_SAMPLE = "lensgraph_compiled_operations_total"
# How often the compiled app answers each request, unless told otherwise: first sight, then with its document cached.
COMPILED_RUNS = 2


def operations_by_path() -> dict[str, float]:
    """What ``COMPILED_OPERATIONS`` has counted in this process so far, per path."""
    return {path: REGISTRY.get_sample_value(COUNTER_SAMPLE, {"path": path}) or 0.0 for path in PATHS}


@contextmanager
def frozen_url_clock(instant: float) -> Iterator[None]:
    """Signed file URLs (LocalStorage) get their expiry from this instant instead of the wall clock: the only
    normalization of the comparison (see the module's docstring). Only the storage module's clock is held; every
    other use of time runs as it does in production."""

    class Clock:
        @staticmethod
        def time() -> float:
            return instant

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(local_storage, "time", Clock)
        yield


@dataclass(frozen=True)
class Request:
    corpus: str
    label: str
    query: str
    variables: dict[str, Any] | None = None
    caller: str = "ANONYMOUS"

    def __str__(self) -> str:
        return f"[{self.corpus}] {self.label} as {self.caller}"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # canonical: keys sorted


def canonical(response: httpx.Response) -> Answer:
    try:
        body = orjson.dumps(orjson.loads(response.content), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        body = response.content  # not JSON (a proxy's or Starlette's plain refusal): compared as sent
    return Answer(response.status_code, body)


def errors_of(answer: Answer) -> list[tuple[Any, Any, Any]]:
    """(message, path, extensions.code) of each error: what a mismatch report shows first."""
    try:
        errors = orjson.loads(answer.body).get("errors") or []
    except (orjson.JSONDecodeError, AttributeError):
        return []
    return [(error.get("message"), error.get("path"), (error.get("extensions") or {}).get("code")) for error in errors]


def same(answer: Answer, reference: Answer) -> bool:
    """Byte for byte, except where the resolvers disagree with themselves: once a non-null root field fails, the
    whole ``data`` is null and graphql-core reports the errors of the sibling fields that happened to finish
    before it, which depends on timing (the same document through the resolvers alone answers 3 errors one time
    and 6 the next). There, one side's errors must be among the other's, and the rest must be equal."""
    if answer == reference:
        return True
    try:
        left, right = orjson.loads(answer.body), orjson.loads(reference.body)
    except orjson.JSONDecodeError:
        return False
    if answer.status != reference.status or not isinstance(left, dict) or not isinstance(right, dict):
        return False
    if left.get("data", ...) is not None or right.get("data", ...) is not None:
        return False
    errors = [
        {orjson.dumps(error, option=orjson.OPT_SORT_KEYS) for error in side.pop("errors", [])} for side in (left, right)
    ]
    return left == right and (errors[0] <= errors[1] or errors[1] <= errors[0])


def first_difference(left: Any, right: Any, at: str = "$") -> str | None:
    if isinstance(left, dict) and isinstance(right, dict):
        if left.keys() != right.keys():
            return f"{at}: keys {sorted(left)} vs {sorted(right)}"
        found = (first_difference(left[key], right[key], f"{at}.{key}") for key in sorted(left))
        return next((difference for difference in found if difference), None)
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{at}: {len(left)} items vs {len(right)}"
        found = (first_difference(a, b, f"{at}[{index}]") for index, (a, b) in enumerate(zip(left, right, strict=True)))
        return next((difference for difference in found if difference), None)
    return None if left == right else f"{at}: {left!r} vs {right!r}"


def outcome(answer: Answer) -> str:
    if answer.status != 200:
        return "refused"
    return "errors" if errors_of(answer) else "data"


@dataclass
class Mismatch:
    request: Request
    run: int
    compiled: Answer
    resolvers: Answer

    def __str__(self) -> str:
        lines = [f"{self.request} (compiled run {self.run}): {self.request.query!r} {self.request.variables!r}"]
        if self.compiled.status != self.resolvers.status:
            lines.append(f"  status {self.compiled.status} (compiled) vs {self.resolvers.status} (resolvers)")
        if errors_of(self.compiled) != errors_of(self.resolvers):
            lines.append(f"  errors {errors_of(self.compiled)} vs {errors_of(self.resolvers)}")
        try:
            difference = first_difference(orjson.loads(self.compiled.body), orjson.loads(self.resolvers.body))
            lines.append(f"  first difference {difference}")
        except orjson.JSONDecodeError:
            lines.append(f"  bodies {self.compiled.body[:300]!r} vs {self.resolvers.body[:300]!r}")
        return "\n".join(lines)


@dataclass
class Side:
    services: Services
    http: httpx.AsyncClient


@dataclass
class Pair:
    compiled: Side
    resolvers: Side
    tokens: dict[str, str | None]  # caller -> its access token (None: anonymous)
    # corpus -> path -> operations COMPILED_OPERATIONS counted for the compiled app's runs of that corpus
    paths: dict[str, Counter[str]] = field(default_factory=dict)
    # corpus -> requests checked, and the compiled app's runs of them; what the resolvers app was counted (it must
    # never be "compiled")
    sent: Counter[str] = field(default_factory=Counter)
    runs: Counter[str] = field(default_factory=Counter)
    resolvers_app_paths: Counter[str] = field(default_factory=Counter)
    # corpus -> how the resolvers answered its requests: "data" (no errors), "errors", "refused" (not HTTP 200)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)

    async def _send(self, side: Side, request: Request) -> tuple[Answer, dict[str, float]]:
        token = self.tokens[request.caller]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body: dict[str, Any] = {"query": request.query}
        if request.variables is not None:
            body["variables"] = request.variables
        before = operations_by_path()
        response = await side.http.post("/graphql", json=body, headers=headers)
        after = operations_by_path()
        return canonical(response), {path: after[path] - before[path] for path in PATHS}

    async def check(self, request: Request, compiled_runs: int = COMPILED_RUNS) -> list[Mismatch]:
        """The request through both paths; the mismatches found (none when the answers are the same)."""
        counted = self.paths.setdefault(request.corpus, Counter())
        self.sent[request.corpus] += 1
        self.runs[request.corpus] += compiled_runs
        compiled_answers = []
        first, paths = await self._send(self.compiled, request)
        compiled_answers.append(first)
        counted.update(paths)
        reference, resolvers_paths = await self._send(self.resolvers, request)
        self.outcomes.setdefault(request.corpus, Counter())[outcome(reference)] += 1
        self.resolvers_app_paths.update(resolvers_paths)
        for _ in range(compiled_runs - 1):
            again, paths = await self._send(self.compiled, request)
            compiled_answers.append(again)
            counted.update(paths)
        return [
            Mismatch(request, run, answer, reference)
            for run, answer in enumerate(compiled_answers, 1)
            if not same(answer, reference)
        ]

    async def check_all(self, requests: list[Request], compiled_runs: int = COMPILED_RUNS) -> list[Mismatch]:
        mismatches: list[Mismatch] = []
        for request in requests:
            mismatches += await self.check(request, compiled_runs)
        return mismatches

    def compiled_count(self, corpus: str) -> int:
        """Operations of ``corpus`` the compiled app answered through the planner (0 until it lands)."""
        return int(self.paths.get(corpus, Counter())[COMPILED])

    def summary(self) -> str:
        lines = ["compiled read path: the compiled app's runs per corpus, as COMPILED_OPERATIONS counted them"]
        for corpus, sent in self.sent.items():
            counted = self.paths.get(corpus, Counter())
            runs = self.runs[corpus]
            uncounted = runs - int(counted[COMPILED]) - int(counted[RESOLVERS])
            lines.append(
                f"  {corpus:10} requests={sent:4} runs={runs:4} compiled={int(counted[COMPILED]):4} "
                f"resolvers={int(counted[RESOLVERS]):4} uncounted={uncounted:4}  answers: {dict(self.outcomes[corpus])}"
            )
        lines.append(f"  resolvers app: {dict(self.resolvers_app_paths)}")
        return "\n".join(lines)


def side(settings: Settings, *, compiled_operations: bool) -> Side:
    services = Services(settings.model_copy(update={"compiled_operations": compiled_operations}))
    app = create_app(services.settings, services=services)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    return Side(services, http)


async def close(side: Side) -> None:
    await side.http.aclose()
    await side.services.close()
