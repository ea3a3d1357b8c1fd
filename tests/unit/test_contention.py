"""Losing a race for a lock is a CONFLICT the client may retry, not an INTERNAL error."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError

from lensgraph.persistence.db import is_contention


class PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def wrapped(orig: Exception) -> OperationalError:
    return OperationalError("UPDATE photos SET ...", {}, orig)


def test_sqlite_busy_past_its_timeout_is_contention() -> None:
    assert is_contention(wrapped(sqlite3.OperationalError("database is locked")))


def test_postgres_deadlock_serialization_and_lock_timeouts_are_contention() -> None:
    for sqlstate in ("40P01", "40001", "55P03"):
        assert is_contention(wrapped(PostgresError(sqlstate)))


def test_other_database_failures_are_not() -> None:
    assert not is_contention(wrapped(sqlite3.OperationalError("no such table: photos")))
    assert not is_contention(wrapped(PostgresError("42P01")))
