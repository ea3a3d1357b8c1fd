"""``python -m bench compare``: check that every system answers the same rows, count their statements, then
measure them in alternating rounds.

1. PostGraphile is installed (or skipped, with a note, when npm cannot).
2. Each system is started behind the wire counter (bench.peers.wire), answers every workload once (the rows
   must agree across systems, and the plain server's JSON is compared with Lensgraph's), and then answers
   each workload ``COUNTED_REQUESTS`` times, one after another, while the counter reads its statements.
3. The systems are started again, straight on PostgreSQL, and each workload runs on each system in turn,
   the systems' order rotating every round, so the machine's noise falls on all of them alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench.peers.loadgen import is_error_answer, run_load
from bench.peers.report import Comparison, Run, Statements
from bench.peers.specs import CURATOR, LOAD_TEST, SLUG_PREFIX, SPECS, WRITER, Inputs, Spec, rows
from bench.peers.systems import PUBLIC_URL, Launch, Server, install_postgraphile, libpq_url, started, with_port
from bench.peers.wire import WireCounter, WireCounts
from bench.workloads import first_difference, unsigned

PASSWORD = "bench-password-123"  # every account `python -m bench generate` makes
EMAIL = "{}@bench.lensgraph.dev"
COUNTED_REQUESTS = 20
IDLE_SECONDS = 2.0  # how long the background (Lensgraph's outbox relay, buffered views) is counted alone
FILES_URL = f"{PUBLIC_URL}/files/"
LOGIN = "mutation Login($i: LoginInput!) { login(input: $i) { accessToken userErrors { code message } } }"


class ComparisonFailed(Exception):
    """The systems disagree, or one answered with errors: nothing measured would mean anything."""


@dataclass(frozen=True)
class Options:
    database_url: str
    rounds: int = 3
    seconds: float = 10.0
    warmup: float = 3.0
    connections: int = 16
    workloads: tuple[str, ...] = ()
    peer_dir: Path = Path()
    count_statements: bool = True
    counted_requests: int = COUNTED_REQUESTS
    idle_seconds: float = IDLE_SECONDS


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(self.body).get("data") or {}
        return data


def post(server: Server, spec: Spec, number: int = 7) -> Answer:
    headers = {"Authorization": f"Bearer {spec.token}"} if spec.token else {}
    response = httpx.post(
        f"http://{server.host}:{server.port}{spec.path}",
        content=orjson.dumps(spec.body(number)),
        headers={"Content-Type": "application/json", **headers},
        timeout=60,
    )
    return Answer(response.status_code, response.content)


def sign_in(server: Server, username: str) -> str:
    variables = {"i": {"email": EMAIL.format(username), "password": PASSWORD}}
    spec = Spec("/graphql", lambda _n: {"query": LOGIN, "variables": variables})
    answer = post(server, spec)
    token = (answer.data.get("login") or {}).get("accessToken")
    if answer.status != 200 or not token:
        raise ComparisonFailed(f"sign-in as {username}: {answer.body[:300]!r}")
    return str(token)


async def _database_inputs(database_url: str) -> tuple[list[uuid.UUID], uuid.UUID]:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        ids = [
            row["id"]
            for row in await connection.fetch(
                "SELECT id FROM photos WHERE status = 'READY' AND visibility = 'PUBLIC' "
                "ORDER BY created_at DESC, id DESC LIMIT 100"
            )
        ]
        writer = await connection.fetchval("SELECT id FROM users WHERE username = $1", WRITER)
    finally:
        await connection.close()
    if not ids or writer is None:
        raise ComparisonFailed("no bench data: run `python -m bench generate --database-url ...` first")
    return ids, writer


async def remove_load_test_collections(database_url: str) -> int:
    """Deletes what the mutation workload made: its description and a system's slug prefix, nothing else."""
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        status = await connection.execute(
            "DELETE FROM collections WHERE description = $1 AND slug ~ $2",
            LOAD_TEST,
            f"^({'|'.join(SLUG_PREFIX.values())})[0-9a-f]{{32}}$",
        )
    finally:
        await connection.close()
    return int(status.split()[-1])


def _count(server: Server, spec: Spec, counter: WireCounter, idle: WireCounts, options: Options) -> Statements:
    """Statements per request over ``counted_requests`` sequential requests, less what the system sends on its
    own in as long (``idle``: counted over ``idle_seconds`` with no request)."""
    requests = options.counted_requests
    before, started_at = counter.snapshot(), time.monotonic()
    for number in range(requests):
        post(server, spec, number)
    time.sleep(0.2)  # the last answer may leave before its session's ROLLBACK has been sent
    counted = counter.snapshot() - before
    share = (time.monotonic() - started_at) / options.idle_seconds
    figures = zip(
        (counted.sql, counted.statements, counted.round_trips),
        (idle.sql, idle.statements, idle.round_trips),
        strict=True,
    )
    return Statements(*(round(max(0.0, found - share * alone) / requests, 1) for found, alone in figures))


def check_and_count(
    launch: Launch, names: list[str], options: Options, say: Callable[[str], None]
) -> tuple[dict[str, dict[str, Spec]], dict[str, dict[str, Statements]]]:
    """The systems behind the wire counter: each one's answers, then each one's statements per request (one
    system at a time, the others idle)."""
    photo_ids, writer_id = asyncio.run(_database_inputs(options.database_url))
    answers: dict[str, dict[str, Answer]] = {}
    specs: dict[str, dict[str, Spec]] = {}
    counts: dict[str, dict[str, Statements]] = {}
    with contextlib.ExitStack() as stack:
        # One counter per system: a system's count holds its own statements only.
        counters = {name: stack.enter_context(WireCounter(*_address(options.database_url)).running()) for name in names}
        urls = {name: with_port(options.database_url, "127.0.0.1", counter.port) for name, counter in counters.items()}
        with started(launch, names, urls) as servers:
            lensgraph = servers["lensgraph"]
            inputs = Inputs(photo_ids, writer_id, sign_in(lensgraph, CURATOR), sign_in(lensgraph, WRITER))
            for name, server in servers.items():
                specs[name] = {w: SPECS[name](inputs)[w] for w in options.workloads}
                answers[name] = {w: post(server, spec) for w, spec in specs[name].items()}
            if options.count_statements:
                # What each system sends on its own (Lensgraph's outbox relay): counted alone, then subtracted.
                quiet = {name: counter.snapshot() for name, counter in counters.items()}
                time.sleep(options.idle_seconds)
                for name, server in servers.items():
                    idle = counters[name].snapshot() - quiet[name]
                    counted = {
                        w: _count(server, spec, counters[name], idle, options) for w, spec in specs[name].items()
                    }
                    counts[name] = counted
                    say(f"counted {name}: " + ", ".join(f"{w} {c.cell()}" for w, c in counted.items()))
    compare_answers(answers, say)
    return specs, counts


def _address(database_url: str) -> tuple[str, int]:
    from sqlalchemy import make_url

    url = make_url(database_url)
    return url.host or "127.0.0.1", url.port or 5432


def compare_answers(answers: dict[str, dict[str, Answer]], say: Callable[[str], None]) -> None:
    """Every system's rows must be the first system's; errors anywhere fail the comparison."""
    problems = []
    for workload in next(iter(answers.values())):
        found = {}
        for system, by_workload in answers.items():
            answer = by_workload[workload]
            if is_error_answer(answer.status, answer.body):
                problems.append(f"{workload} on {system}: HTTP {answer.status} {answer.body[:300]!r}")
                continue
            found[system] = rows(workload, answer.data)
        first = next(iter(found.values()), None)
        same = all(found_rows == first for found_rows in found.values())
        say(f"check {workload:9} {len(first or [])} rows, the same on {', '.join(found)}: {'yes' if same else 'NO'}")
        if not same:
            problems.append(f"{workload}: the systems answer different rows: {found}"[:1500])
        if "lensgraph" in answers and "plain" in answers and workload != "mutation":
            difference = first_difference(
                unsigned(orjson.loads(answers["lensgraph"][workload].body).get("data"), FILES_URL),
                unsigned(orjson.loads(answers["plain"][workload].body).get("data"), FILES_URL),
                "data",
            )
            say(f"      plain's JSON is Lensgraph's (signatures aside): {difference or 'yes'}")
    if problems:
        raise ComparisonFailed("\n".join(problems))


def measure(
    servers: dict[str, Server],
    specs: dict[str, dict[str, Spec]],
    options: Options,
    comparison: Comparison,
    say: Callable[[str], None],
) -> None:
    names = list(servers)
    for number in range(1, options.rounds + 1):
        shift = (number - 1) % len(names)
        order = names[shift:] + names[:shift]
        for workload in options.workloads:
            for system in order:
                server = servers[system]
                result = run_load(
                    server.host,
                    server.port,
                    specs[system][workload].requests(server.host, server.port),
                    connections=options.connections,
                    seconds=options.seconds,
                    warmup=options.warmup,
                )
                run = Run(number, workload, system, round(os.getloadavg()[0], 2), result.as_json())
                comparison.runs.append(run)
                say(
                    f"round {number} {workload:9} {system:12} {run.rps:9,.1f} req/s  p50 {run.figures['p50_ms']:7.1f}"
                    f"  p99 {run.figures['p99_ms']:7.1f} ms  errors {run.faults}  load {run.load_average}"
                )
                if result.sample_error:
                    say(f"    first error: {result.sample_error}")


def commit_of_checkout() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def compare(options: Options, workdir: Path, say: Callable[[str], None]) -> Comparison:
    node, note = install_postgraphile(options.peer_dir)
    say(note)
    launch = Launch(options.database_url, node, options.peer_dir, workdir)
    names = launch.systems()
    comparison = Comparison(names, list(options.workloads))
    comparison.heading = (
        f"python -m bench compare, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit_of_checkout()}; "
        f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}; {options.rounds} rounds x "
        f"{options.seconds:g} s after {options.warmup:g} s warm-up, {options.connections} connections"
    )
    if node is None:
        comparison.notes.append(note)
    try:
        specs, comparison.statements = check_and_count(launch, names, options, say)
        with started(launch, names) as servers:
            measure(servers, specs, options, comparison, say)
    finally:
        removed = asyncio.run(remove_load_test_collections(options.database_url))
        say(f"removed {removed:,} collections made by the mutation workload")
    return comparison
