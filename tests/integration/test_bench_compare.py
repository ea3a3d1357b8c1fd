"""Keeps ``python -m bench compare`` honest: its systems answer the same rows, its counters count right.

The load driver is checked against a tiny local server (requests and errors counted, nothing timed); the
wire counter against a hand-written protocol stream. On PostgreSQL (``LENSGRAPH_TEST_DATABASE_URL``; the
plain baseline is asyncpg only), Lensgraph and the plain server run as subprocesses on a tiny dataset and
must answer every workload with the same rows, the plain server in one SQL statement per request.
"""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from bench.dataset import Sizes, generate
from bench.peers import systems
from bench.peers.compare import (
    Answer,
    ComparisonFailed,
    Options,
    check_and_count,
    compare_answers,
    remove_load_test_collections,
)
from bench.peers.loadgen import drive, http_request, is_error_answer, read_answer
from bench.peers.specs import ALL_WORKLOADS
from bench.peers.systems import Launch, install_postgraphile
from bench.peers.trivial_server import TrivialServer
from bench.peers.wire import SSL_REQUEST, FrontendParser, WireCounts
from lensgraph.persistence.base import Base
from lensgraph.persistence.db import create_engine
from tests.conftest import POSTGRES_URL

TINY = Sizes(photographers=3, photos=120, collections=5, photos_per_collection=5, brands=1, deep_photos=10)


async def test_the_load_driver_counts_every_answer_and_every_error() -> None:
    server = TrivialServer(error_every=4)
    listening = await server.start()
    port = listening.sockets[0].getsockname()[1]
    request = http_request("127.0.0.1", port, "/graphql", b'{"query": "{ ok }"}')
    async with listening:
        result = await drive("127.0.0.1", port, lambda: request, connections=3, seconds=0.5, warmup=0)
    assert result.requests > 0
    # Each connection may have one answer that came after the window closed: not counted.
    assert result.requests <= server.answered <= result.requests + 3
    assert result.requests // 4 - 3 <= result.errors <= result.requests // 4 + 3
    assert result.failed_connections == 0
    assert result.sample_error is not None and "every nth request fails" in result.sample_error


async def test_an_answer_is_an_error_when_its_status_errors_or_user_errors_say_so() -> None:
    assert not is_error_answer(200, b'{"data":{"createCollection":{"userErrors":[]}}}')
    assert is_error_answer(200, b'{"data":{"createCollection":{"userErrors": [{"code":"TAKEN"}]}}}')
    assert is_error_answer(200, b'{"data":null,"errors":[{"message":"no"}]}')
    assert is_error_answer(429, b"{}")

    reader = asyncio.StreamReader()
    reader.feed_data(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    assert await read_answer(reader) == (200, b"hello world")


def _message(kind: bytes, *fields: bytes) -> bytes:
    body = b"".join(fields)
    return kind + struct.pack("!I", len(body) + 4) + body


def test_the_wire_counter_tells_sql_from_bookkeeping_and_counts_round_trips() -> None:
    counts = WireCounts()
    parser = FrontendParser(counts)
    startup = struct.pack("!II", 196608, 0) + b"user\x00postgres\x00\x00"
    stream = b"".join(
        [
            struct.pack("!II", 8, SSL_REQUEST),
            struct.pack("!I", len(startup) + 4) + startup,
            _message(b"Q", b"BEGIN READ ONLY\x00"),
            _message(b"P", b"s1\x00", b"SELECT * FROM photos WHERE id = $1\x00", b"\x00\x00"),
            _message(b"B", b"\x00", b"s1\x00", b"\x00\x00\x00\x00\x00\x00"),
            _message(b"E", b"\x00", b"\x00\x00\x00\x00"),
            _message(b"S"),
            _message(b"P", b"\x00", b";\x00", b"\x00\x00"),  # a driver's ping
            _message(b"B", b"\x00", b"\x00", b"\x00\x00\x00\x00\x00\x00"),
            _message(b"E", b"\x00", b"\x00\x00\x00\x00"),
            _message(b"S"),
            _message(b"Q", b"ROLLBACK; SELECT 1\x00"),
        ]
    )
    for at in range(0, len(stream), 7):  # in pieces, as a socket delivers them
        parser.feed(stream[at : at + 7])
    assert (counts.sql, counts.statements, counts.round_trips) == (2, 5, 4)


def test_systems_that_answer_other_rows_or_errors_fail_the_comparison() -> None:
    def browse(*titles: str) -> Answer:
        edges = [{"node": {"id": f"id-{t}", "title": t, "createdAt": "2025-01-01T00:00:00+00:00"}} for t in titles]
        return Answer(200, orjson.dumps({"data": {"photos": {"edges": edges}}}))

    said: list[str] = []
    compare_answers({"lensgraph": {"browse": browse("a", "b")}, "plain": {"browse": browse("a", "b")}}, said.append)
    assert said[0].endswith("the same on lensgraph, plain: yes")
    with pytest.raises(ComparisonFailed, match="different rows"):
        compare_answers({"lensgraph": {"browse": browse("a", "b")}, "plain": {"browse": browse("b", "a")}}, said.append)
    failing = Answer(200, b'{"data":null,"errors":[{"message":"no"}]}')
    with pytest.raises(ComparisonFailed, match="browse on plain"):
        compare_answers({"lensgraph": {"browse": browse("a")}, "plain": {"browse": failing}}, said.append)


def test_without_npm_postgraphile_is_skipped_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(systems.shutil, "which", lambda _name: None)
    node, note = install_postgraphile(tmp_path / "peers")
    assert node is None
    assert note.startswith("postgraphile skipped: npm is not installed")
    launch = Launch("postgresql+asyncpg://nowhere/db", node=node, peer_dir=tmp_path, workdir=tmp_path)
    assert launch.systems() == ["lensgraph", "plain"]


@pytest.mark.skipif(
    not POSTGRES_URL, reason="the plain baseline runs on PostgreSQL only: set LENSGRAPH_TEST_DATABASE_URL"
)
def test_lensgraph_and_the_plain_server_answer_every_workload_with_the_same_rows(
    migrated_template: str, tmp_path: Path
) -> None:
    assert POSTGRES_URL
    asyncio.run(_empty(POSTGRES_URL))
    asyncio.run(generate(POSTGRES_URL, TINY, seed=5))
    launch = Launch(POSTGRES_URL, node=None, peer_dir=tmp_path, workdir=tmp_path)
    options = Options(POSTGRES_URL, workloads=ALL_WORKLOADS, counted_requests=3, idle_seconds=0.5)
    said: list[str] = []
    try:
        specs, statements = check_and_count(launch, launch.systems(), options, said.append)
    finally:
        asyncio.run(remove_load_test_collections(POSTGRES_URL))
    assert set(specs) == {"lensgraph", "plain"}
    checked = [line for line in said if line.startswith("check ")]
    assert len(checked) == len(ALL_WORKLOADS)
    assert all(line.endswith("the same on lensgraph, plain: yes") for line in checked), said
    assert all(line.endswith(": yes") for line in said if "plain's JSON is Lensgraph's" in line), said
    assert {workload: counted.sql for workload, counted in statements["plain"].items()} == dict.fromkeys(
        ALL_WORKLOADS, 1
    )
    # Lensgraph's figures are less its background (the outbox relay) over a short idle window: not exact here.
    assert set(statements["lensgraph"]) == set(ALL_WORKLOADS)


async def _empty(database_url: str) -> None:
    engine = create_engine(database_url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    await engine.dispose()
