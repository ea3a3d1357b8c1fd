"""The single-statement connections (``persistence/driver.py``): reused while sound, never more than allowed at
once, closed after a failure on the client's side. Fake connections: the rules, without a server."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import Any

import pytest

from lensgraph.persistence.driver import DriverConnections


class Refused(Exception):
    sqlstate = "23505"


class FakeConnection:
    serials = itertools.count(1)

    def __init__(self) -> None:
        self.serial = next(self.serials)
        self.closed = False
        self.terminated = False
        self.running = 0
        self.fail_with: BaseException | None = None
        self.delay = 0.0

    def is_closed(self) -> bool:
        return self.closed

    async def fetch(self, sql: str, *arguments: Any) -> Sequence[Any]:
        self.running += 1
        try:
            await asyncio.sleep(self.delay)
            if self.fail_with is not None:
                failure, self.fail_with = self.fail_with, None
                raise failure
            return [(self.serial, sql, arguments)]
        finally:
            self.running -= 1

    async def execute(self, sql: str, *arguments: Any) -> str:
        await self.fetch(sql, *arguments)
        return "INSERT 0 1"

    def terminate(self) -> None:
        self.closed = self.terminated = True

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def made() -> list[FakeConnection]:
    return []


@pytest.fixture
def connections(made: list[FakeConnection]) -> DriverConnections:
    async def connect() -> FakeConnection:
        connection = FakeConnection()
        made.append(connection)
        return connection

    return DriverConnections(connect, size=2)


async def test_one_connection_serves_statements_one_after_another(connections, made) -> None:
    for number in range(3):
        [(serial, sql, arguments)] = await connections.fetch("SELECT $1", [number])
        assert (sql, arguments) == ("SELECT $1", (number,))
    await connections.execute("INSERT", [])
    assert len(made) == 1 and serial == made[0].serial


async def test_no_more_than_the_size_run_at_once(made) -> None:
    in_flight, most = 0, 0

    class Slow(FakeConnection):
        async def fetch(self, sql: str, *arguments: Any) -> Sequence[Any]:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return []

    async def connect() -> FakeConnection:
        made.append(Slow())
        return made[-1]

    connections = DriverConnections(connect, size=2)
    await asyncio.gather(*(connections.fetch("SELECT 1", []) for _ in range(6)))
    assert most == 2 and len(made) == 2


async def test_a_statement_the_server_refused_leaves_its_connection_in_use(connections, made) -> None:
    await connections.fetch("SELECT 1", [])
    made[0].fail_with = Refused("duplicate key")
    with pytest.raises(Refused):
        await connections.execute("INSERT", [])
    await connections.fetch("SELECT 1", [])
    assert len(made) == 1 and not made[0].terminated


@pytest.mark.parametrize("failure", [asyncio.CancelledError(), ConnectionResetError("lost"), TimeoutError()])
async def test_a_connection_that_failed_on_the_clients_side_is_closed_not_reused(
    connections, made, failure: BaseException
) -> None:
    await connections.fetch("SELECT 1", [])
    made[0].fail_with = failure
    with pytest.raises(type(failure)):
        await connections.fetch("SELECT 1", [])
    assert made[0].terminated
    await connections.fetch("SELECT 1", [])
    assert len(made) == 2


async def test_a_connection_found_closed_is_passed_over(connections, made) -> None:
    await connections.fetch("SELECT 1", [])
    made[0].closed = True
    await connections.fetch("SELECT 1", [])
    assert len(made) == 2


async def test_close_closes_the_idle_and_ends_the_busy_when_they_finish(connections, made) -> None:
    await connections.fetch("SELECT 1", [])
    made[0].delay = 0.02
    busy = asyncio.create_task(connections.fetch("SELECT 1", []))
    await asyncio.sleep(0)
    idle = await connections.fetch("SELECT 2", [])  # a second connection, idle once done
    assert len(made) == 2 and idle
    await connections.close()
    assert made[1].closed
    await busy
    assert made[0].terminated
