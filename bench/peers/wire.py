"""Statements counted on the wire: a PostgreSQL proxy that reads what clients send, for any client.

``pg_stat_statements`` would count at the server, but it must be preloaded (a server restart), and the
bench's PostgreSQL is shared. So the systems are started once more, behind this proxy, and it reads the
frontend messages of the PostgreSQL protocol as they pass: each ``Execute`` runs one statement (the extended
protocol: asyncpg, node-postgres with parameters), a simple ``Query`` runs as many as it holds, and each
``Sync`` or ``Query`` waits for the server once (a round trip). Statements are told apart by their text:
transaction control (BEGIN, COMMIT, ROLLBACK), a driver's session reset and its liveness ping (";") are
bookkeeping; the rest are the SQL that reads or writes the data. The bytes go through unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass

# The untyped requests a client may send before its StartupMessage (the server answers them with one byte).
SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104
CHUNK = 65536


BOOKKEEPING = (
    b"BEGIN", b"START", b"COMMIT", b"ROLLBACK", b"SAVEPOINT", b"RELEASE", b"END",
    b"SELECT PG_ADVISORY_UNLOCK_ALL", b"CLOSE ALL", b"UNLISTEN", b"RESET", b"DISCARD",
)  # fmt: skip


@dataclass
class WireCounts:
    """Statements executed (``sql``: those that are not bookkeeping) and round trips."""

    statements: int = 0
    sql: int = 0
    round_trips: int = 0

    def __sub__(self, other: WireCounts) -> WireCounts:
        return WireCounts(
            self.statements - other.statements, self.sql - other.sql, self.round_trips - other.round_trips
        )

    def add(self, text: bytes) -> None:
        self.statements += 1
        words = text.strip(b" \t\r\n;").upper()
        if words and not words.startswith(BOOKKEEPING):
            self.sql += 1


def _statements_in(query: bytes) -> list[bytes]:
    """The statements of a simple Query (semicolon-separated; the bench's clients send no quoted ';')."""
    found = [part for part in query.split(b";") if part.strip()]
    return found or [b""]


def _cstrings(body: bytes, count: int) -> list[bytes]:
    return body.split(b"\x00", count)[:count]


class FrontendParser:
    """Reads the client's side of one connection, message by message, and adds to the counts."""

    def __init__(self, counts: WireCounts) -> None:
        self.counts = counts
        self._buffer = b""
        self._started = False
        # Prepared statements by name ("" is the unnamed one), and portals by name to their statement's text.
        self._prepared: dict[bytes, bytes] = {}
        self._portals: dict[bytes, bytes] = {}

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while True:
            header = 4 if not self._started else 5
            if len(self._buffer) < header:
                return
            if not self._started:
                length = struct.unpack_from("!I", self._buffer)[0]
                kind = None
            else:
                kind = self._buffer[0:1]
                length = struct.unpack_from("!I", self._buffer, 1)[0] + 1
            if len(self._buffer) < length:
                return
            message, self._buffer = self._buffer[:length], self._buffer[length:]
            if kind is None:
                code = struct.unpack_from("!I", message, 4)[0]
                self._started = code not in (SSL_REQUEST, GSSENC_REQUEST)
            else:
                self._message(kind, message[5:])

    def _message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            for statement in _statements_in(body.rstrip(b"\x00")):
                self.counts.add(statement)
            self.counts.round_trips += 1
        elif kind == b"P":
            name, query = _cstrings(body, 2)
            self._prepared[name] = query
        elif kind == b"B":
            portal, statement = _cstrings(body, 2)
            self._portals[portal] = self._prepared.get(statement, b"")
        elif kind == b"E":
            self.counts.add(self._portals.get(_cstrings(body, 1)[0], b""))
        elif kind == b"S":
            self.counts.round_trips += 1


class WireCounter:
    """The proxy, on its own event loop in a thread; ``counts`` adds up over every connection."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.counts = WireCounts()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()

    def snapshot(self) -> WireCounts:
        with self._lock:
            return WireCounts(self.counts.statements, self.counts.sql, self.counts.round_trips)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, parser: FrontendParser | None
    ) -> None:
        try:
            while data := await reader.read(CHUNK):
                if parser is not None:
                    with self._lock:
                        parser.feed(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pipe(reader, upstream_writer, FrontendParser(self.counts)),
            self._pipe(upstream_reader, writer, None),
        )

    @contextlib.contextmanager
    def running(self) -> Iterator[WireCounter]:
        started = threading.Event()
        server: list[asyncio.Server] = []

        async def serve() -> None:
            server.append(await asyncio.start_server(self._client, "127.0.0.1", 0))
            self.port = server[0].sockets[0].getsockname()[1]
            started.set()
            async with server[0]:
                await server[0].serve_forever()

        thread = threading.Thread(target=lambda: self._run(serve()), name="wire-counter", daemon=True)
        thread.start()
        started.wait(10)
        try:
            yield self
        finally:
            if server:
                self._loop.call_soon_threadsafe(server[0].close)
            self._loop.call_soon_threadsafe(self._stop_everything)
            thread.join(10)

    def _run(self, serve: object) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(serve)  # type: ignore[arg-type]

    def _stop_everything(self) -> None:
        for task in asyncio.all_tasks(self._loop):
            task.cancel()
