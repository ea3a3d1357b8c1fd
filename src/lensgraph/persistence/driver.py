"""asyncpg connections for single statements outside transactions: the compiled reads and the writes alone.

Not asyncpg's ``Pool``: its acquire and release (a queue, a reset, a shielded task per release) cost about 65 µs
of CPU per statement, as much as a small read's own work on the driver (measured on the bench VM: 140 against
76 µs per ``SELECT $1``). A single statement needs none of that: the connection keeps no session state (no
transaction is left open, nothing is SET), so it goes back as it came, most recently used first. One that
failed on the client's side (cancelled mid-statement, its socket lost) is closed, never reused; one the server
refused a statement on (a constraint, a bad value) is as good as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any


class DriverConnections:
    """At most ``size`` connections in use at once; made on first need, kept idle until ``close``."""

    def __init__(self, connect: Callable[[], Awaitable[Any]], size: int) -> None:
        self._connect = connect
        self._slots = asyncio.Semaphore(size)
        self._idle: list[Any] = []
        self._closed = False

    async def fetch(self, sql: str, arguments: Sequence[Any]) -> Sequence[Sequence[Any]]:
        records: Sequence[Sequence[Any]] = await self._run("fetch", sql, arguments)
        return records

    async def execute(self, sql: str, arguments: Sequence[Any]) -> None:
        await self._run("execute", sql, arguments)

    async def _run(self, method: str, sql: str, arguments: Sequence[Any]) -> Any:
        async with self._slots:
            connection = await self._take()
            try:
                result = await getattr(connection, method)(sql, *arguments)
            except BaseException as failure:
                self._give_back(connection, reusable=_refused_by_the_server(failure))
                raise
            self._give_back(connection, reusable=True)
            return result

    async def _take(self) -> Any:
        while self._idle:
            connection = self._idle.pop()
            if not connection.is_closed():
                return connection
        return await self._connect()

    def _give_back(self, connection: Any, *, reusable: bool) -> None:
        if reusable and not self._closed and not connection.is_closed():
            self._idle.append(connection)
        else:
            connection.terminate()

    async def close(self) -> None:
        """Closes the idle connections; one in use is closed when its statement ends."""
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()


def _refused_by_the_server(failure: BaseException) -> bool:
    """A PostgreSQL error the server sent (it has a SQLSTATE): the statement failed, the connection is fine."""
    return isinstance(failure, Exception) and bool(getattr(failure, "sqlstate", None))
